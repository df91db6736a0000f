import { describe, it } from 'vitest';
import { rope, ropeTable } from '../../src/model/kernels/rope.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { ropeRef } from '../ref/rope.js';
import { TOL } from '../tolerances.js';

describe('model rope kernel (workgroup 64)', () => {
  for (const [seqs, seq, heads, hd] of [[1, 1, 1, 2], [2, 127, 3, 12], [3, 5, 2, 26]] as const) {
    it(`rotates pairs (i, i + hd/2) for ${seqs} sequences of ${seq}, ${heads} heads, hd ${hd}`, async () => {
      const gpu = await testGpu();
      const rows = seqs * seq;
      const x = randomArray(rows * heads * hd, hd + seq);
      const tx = gpu.upload(x, [rows, heads, hd]);
      const table = gpu.upload(ropeTable(seq, hd, 10000), [seq, hd / 2, 2]);
      await rope(gpu, tx, table, seq);
      expectRel(await gpu.read(tx), ropeRef(x, rows, heads, hd, seq, 10000), TOL.kernel, 'rope');
      gpu.release(tx, table);
    });
  }
});
