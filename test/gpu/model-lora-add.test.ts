import { describe, it } from 'vitest';
import { loraAdd } from '../../src/model/kernels/lora-add.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { loraAddRef } from '../ref/lora-add.js';
import { TOL } from '../tolerances.js';

describe('model lora-add kernel (4 or 64 threads per row)', () => {
  for (const [rows, cols, wg] of [[1, 1, 64], [3, 63, 64], [4, 65, 64], [2, 131, 64], [2, 3, 4], [3, 5, 4]] as const) {
    it(`adds a stream's LoRA output and its row norms for ${rows}×${cols}, ${wg} threads per row`, async () => {
      const gpu = await testGpu();
      const d = randomArray(rows * cols, cols);
      const y = randomArray(3 * rows * cols, rows);
      const yOff = rows * cols;
      const td = gpu.upload(d, [rows, cols]);
      const ty = gpu.upload(y, [3 * rows * cols]);
      const tn = gpu.upload(new Float32Array(rows + 2), [rows + 2]);
      await loraAdd(gpu, td, ty, yOff, tn, 2, wg);
      const ref = loraAddRef(d, y, yOff, rows, cols);
      expectRel(await gpu.read(ty), ref.y, TOL.kernel, 'y');
      expectRel((await gpu.read(tn)).subarray(2), ref.norms, TOL.kernel, 'norms');
      gpu.release(td, ty, tn);
    });
  }
});
