import { describe, it } from 'vitest';
import { rowNorms } from '../../src/store/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { rowNormsRef } from '../ref/row-norms.js';
import { TOL } from '../tolerances.js';

describe('row-norms kernel (workgroup 64)', () => {
  for (const [rows, cols] of [[1, 1], [63, 8], [65, 64], [97, 13]] as const) {
    it(`matches the reference for rows = ${rows}, cols = ${cols}`, async () => {
      const gpu = await testGpu();
      const x = Float32Array.from(randomArray(rows * cols, rows * 7 + cols), (v, i) => v * (1 + (i % 5)));
      const tx = gpu.upload(x, [rows, cols]);
      const out = await rowNorms(gpu, tx);
      expectRel(await gpu.read(out), rowNormsRef(x, rows, cols), TOL.kernel, 'norms');
      gpu.release(tx, out);
    });
  }
});
