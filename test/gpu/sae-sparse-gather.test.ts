import { describe, it } from 'vitest';
import { sparseDecode, sparseDot } from '../../src/sae/kernels/sae-sparse-gather.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { randomCode } from '../helpers/sae-fixtures.js';
import { sparseDecodeRef, sparseDotRef } from '../ref/sae-sparse.js';
import { TOL } from '../tolerances.js';

describe('sae-sparse-gather kernel (workgroup 64)', () => {
  // d % 4 = 0 runs the vec4 entry points, other d the scalar ones
  for (const [rows, kk, m, d] of [[1, 1, 1, 1], [7, 4, 63, 65], [13, 5, 97, 31], [1, 1, 1, 4], [9, 6, 70, 128], [33, 32, 1000, 12]] as const) {
    it(`decode and dot gather only the active rows (rows ${rows}, k ${kk}, m ${m}, d ${d}, ${d % 4 === 0 ? 'vec4' : 'scalar'}), over two shards`, async () => {
      const gpu = await testGpu();
      const { val, idx } = randomCode(rows, kk, m, rows * 31 + m);
      const w = randomArray(m * d, 5);
      const x = randomArray(rows * d, 6);
      const bias = randomArray(d, 7);
      const code = { val: gpu.upload(val, [rows, kk]), idx: gpu.upload(idx, [rows, kk], 'u32') };
      const split = Math.ceil(m / 2);
      const shards = [{ c0: 0, mc: split }, { c0: split, mc: m - split }].filter((s) => s.mc > 0)
        .map((s) => ({ c0: s.c0, w: gpu.upload(w.subarray(s.c0 * d, (s.c0 + s.mc) * d), [s.mc, d]) }));
      const y = gpu.empty([rows, d]);
      const dot = gpu.empty([rows, kk]);
      gpu.write(dot, new Float32Array(rows * kk));
      const biasT = gpu.upload(bias, [d]);
      const xT = gpu.upload(x, [rows, d]);
      for (let s = 0; s < shards.length; s++) {
        await sparseDecode(gpu, code, shards[s], y, { beta: s === 0 ? 0 : 1, bias: s === 0 ? biasT : undefined });
        await sparseDot(gpu, code, shards[s], xT, dot);
      }
      expectRel(await gpu.read(y), sparseDecodeRef(val, idx, rows, kk, w, d, bias), TOL.kernel, 'decode');
      expectRel(await gpu.read(dot), sparseDotRef(val, idx, rows, kk, w, x, d), TOL.kernel, 'dot');
    });
  }
});
