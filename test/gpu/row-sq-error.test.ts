import { describe, it } from 'vitest';
import { rowSqError } from '../../src/analysis/kernels/row-sq-error.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { rowSqErrorRef } from '../ref/row-sq-error.js';
import { TOL } from '../tolerances.js';

describe('row-sq-error kernel', () => {
  for (const [rows, cols] of [[1, 1], [63, 5], [65, 64], [131, 3]]) {
    it(`matches the reference for [${rows}, ${cols}] (workgroup 64)`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows);
      const y = randomArray(rows * cols, cols + 100);
      const tx = gpu.upload(x, [rows, cols]);
      const ty = gpu.upload(y, [rows, cols]);
      const out = gpu.empty([rows]);
      await rowSqError(gpu, tx, ty, out);
      expectRel(await gpu.read(out), rowSqErrorRef(x, y, rows, cols), TOL.kernel, 'sse');
      gpu.release(tx, ty, out);
    });
  }
});
