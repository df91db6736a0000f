import { describe, expect, it } from 'vitest';
import { copyRegion } from '../../src/gpu/index.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { copyRegionRef } from '../ref/copy-region.js';

describe('copy-region kernel', () => {
  // Workgroup 64×4: cols 1, 63, 65 and 67 (prime) with rows 1, 3, 5 at unaligned offsets and strides.
  const CASES: [number, number, number, number, number, number][] = [
    // rows, cols, srcOff, srcStride, dstOff, dstStride
    [1, 1, 0, 1, 0, 1],
    [1, 63, 7, 63, 3, 63],
    [3, 65, 1, 70, 5, 66],
    [5, 67, 11, 67, 0, 131],
  ];
  for (const [rows, cols, sOff, sStride, dOff, dStride] of CASES) {
    it(`copies a [${rows}, ${cols}] block at offsets ${sOff}→${dOff}, strides ${sStride}→${dStride}`, async () => {
      const gpu = await testGpu();
      const srcN = sOff + (rows - 1) * sStride + cols + 2;
      const dstN = dOff + (rows - 1) * dStride + cols + 3;
      const src = randomArray(srcN, 1);
      const dst = randomArray(dstN, 2);
      const [ts, td] = [gpu.upload(src, [srcN]), gpu.upload(dst, [dstN])];
      await copyRegion(gpu, ts, { offset: sOff, stride: sStride }, td, { offset: dOff, stride: dStride }, rows, cols);
      // Exact: a copy must not change a bit, and elements outside the block stay as they were.
      expect(Array.from(await gpu.read(td))).toEqual(Array.from(copyRegionRef(src, sOff, sStride, dst, dOff, dStride, rows, cols)));
      gpu.release(ts, td);
    });
  }

  it('rejects a block that runs past the destination', async () => {
    const gpu = await testGpu();
    const [ts, td] = [gpu.empty([100]), gpu.empty([10])];
    await expect(copyRegion(gpu, ts, { offset: 0 }, td, { offset: 5 }, 1, 6)).rejects.toThrow(/ends at element 11/);
    gpu.release(ts, td);
  });
});
