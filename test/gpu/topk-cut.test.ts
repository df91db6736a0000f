import { describe, expect, it } from 'vitest';
import { topkCut } from '../../src/analysis/kernels/topk-cut.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { f32FromKey, kthLargestRef } from '../ref/topk-cut.js';

describe('topk-cut kernel', () => {
  for (const [rows, m, k] of [[1, 1, 1], [3, 63, 5], [4, 65, 65], [2, 131, 1], [5, 257, 17]]) {
    it(`finds each row's k-th largest value exactly for [${rows}, ${m}], k = ${k} (workgroup 64)`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * m, rows + m + k);
      // Negative values, ±0 and duplicates exercise the key's ordering.
      x[0] = -0;
      if (m > 3) x[1] = x[2];
      const tx = gpu.upload(x, [rows, m]);
      const out = gpu.empty([rows], 'u32');
      await topkCut(gpu, tx, k, out);
      const cut = new Uint32Array(await gpu.readBytes(out));
      const ref = kthLargestRef(x, rows, m, k);
      expect(Array.from(cut, f32FromKey)).toEqual(Array.from(ref, (v) => Math.fround(v)));
      gpu.release(tx, out);
    });
  }
});
