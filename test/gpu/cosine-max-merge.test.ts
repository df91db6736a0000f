import { describe, expect, it } from 'vitest';
import { cosineMaxMerge } from '../../src/analysis/kernels/cosine-max-merge.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { cosineMaxMergeRef } from '../ref/cosine-max-merge.js';

describe('cosine-max-merge kernel', () => {
  for (const [rows, tiles] of [[1, 1], [63, 3], [65, 1], [131, 7]]) {
    it(`folds [${rows}, ${tiles}] partials into running maxima (first chunk, then a later one; workgroup 64)`, async () => {
      const gpu = await testGpu();
      const total = rows + 10;
      const offset = 7;
      const bestVal = new Float64Array(total);
      const bestIdx = new Int32Array(total);
      const tBestVal = gpu.upload(new Float32Array(total), [total]);
      const tBestIdx = gpu.upload(new Uint32Array(total), [total], 'u32');
      for (const [step, first] of [[0, true], [1, false]] as const) {
        // Values on a coarse grid so ties occur and the first-index rule is exercised.
        const val = Float32Array.from(randomArray(rows * tiles, 11 + step), (v) => Math.round(v * 4) / 4);
        const idx = Uint32Array.from({ length: rows * tiles }, (_, i) => (i * 7 + step) % 50);
        const tv = gpu.upload(val, [rows, tiles]);
        const ti = gpu.upload(idx, [rows, tiles], 'u32');
        const indexOffset = step * 100;
        await cosineMaxMerge(gpu, tv, ti, { bestVal: tBestVal, bestIdx: tBestIdx, offset, indexOffset, first });
        cosineMaxMergeRef(val, idx, rows, tiles, bestVal, bestIdx, offset, indexOffset, first);
        await gpu.sync();
        gpu.release(tv, ti);
      }
      const gotVal = await gpu.read(tBestVal);
      const gotIdx = new Uint32Array(await gpu.readBytes(tBestIdx));
      for (let r = offset; r < offset + rows; r++) {
        expect(gotVal[r]).toBe(bestVal[r]);
        expect(gotIdx[r]).toBe(bestIdx[r]);
      }
      gpu.release(tBestVal, tBestIdx);
    });
  }
});
