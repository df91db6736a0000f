import { describe, it } from 'vitest';
import { addRmsNorm, rmsNorm } from '../../src/model/kernels/rms-norm.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { rmsNormRef } from '../ref/rms-norm.js';
import { TOL } from '../tolerances.js';

describe('model rms-norm kernel (4 or 64 threads per row)', () => {
  for (const [rows, cols, wg] of [[1, 1, 64], [3, 63, 64], [5, 65, 64], [7, 127, 64], [2, 3, 4], [3, 5, 4], [4, 131, 4]] as const) {
    it(`normalises and adds into the residual for ${rows}×${cols}, ${wg} threads per row`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows).map((v) => v * 30);
      const w = randomArray(cols, cols);
      const r0 = randomArray(rows * cols, 99);
      const tx = gpu.upload(x, [rows, cols]);
      const tw = gpu.upload(w, [cols]);
      const ty = gpu.empty([rows, cols]);
      const tr = gpu.upload(r0, [rows, cols]);
      await rmsNorm(gpu, tx, tw, 1e-6, ty, wg);
      await addRmsNorm(gpu, tx, tw, 1e-6, tr, wg);
      const ref = rmsNormRef(x, w, rows, cols, 1e-6);
      expectRel(await gpu.read(ty), ref, TOL.kernel, 'rms');
      expectRel(await gpu.read(tr), ref.map((v, i) => v + r0[i]), TOL.kernel, 'residual + rms');
      gpu.release(tx, tw, ty, tr);
    });
  }
});
