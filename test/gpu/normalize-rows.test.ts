import { describe, it } from 'vitest';
import { normalizeRowsTransposed, paddedRows } from '../../src/analysis/kernels/normalize-rows.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { normalizeRowsTransposedRef } from '../ref/normalize-rows.js';
import { TOL } from '../tolerances.js';

describe('normalize-rows kernel (unit rows, transposed, padded to 4 rows)', () => {
  for (const [rows, cols] of [[1, 1], [63, 5], [65, 64], [131, 7]]) {
    it(`matches the reference for [${rows}, ${cols}] (workgroup 64); zero rows and padding stay zero`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows + cols);
      if (rows > 2) x.fill(0, cols, 2 * cols);
      const padded = paddedRows(rows);
      const tx = gpu.upload(x, [rows, cols]);
      // Garbage in the output buffer must be overwritten, padding included.
      const out = gpu.upload(new Float32Array(cols * padded).fill(7), [cols, padded]);
      await normalizeRowsTransposed(gpu, tx, out);
      expectRel(await gpu.read(out), normalizeRowsTransposedRef(x, rows, cols, padded), TOL.kernel, 'unit rows');
      gpu.release(tx, out);
    });
  }
});
