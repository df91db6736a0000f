import { describe, expect, it } from 'vitest';
import { maskedMoments } from '../../src/store/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { maskedMomentsRef } from '../ref/masked-moments.js';
import { TOL } from '../tolerances.js';

describe('masked-moments kernel (workgroup 64)', () => {
  // groups · cols around the tile: 1, 63, 65, and a prime 97 (97 = 1 × 97)
  const cases: [number, number, number][] = [
    [1, 5, 1],
    [3, 17, 21],
    [1, 40, 65],
    [1, 29, 97],
    [4, 24, 64],
  ];
  for (const [groups, rows, cols] of cases) {
    it(`matches the reference for [${groups}, ${rows}, ${cols}] with some rows masked out`, async () => {
      const gpu = await testGpu();
      const x = Float32Array.from(randomArray(groups * rows * cols, rows + cols), (v, i) => v * 4 + (i % 3));
      const mask = Uint32Array.from({ length: rows }, (_, r) => (r % 4 === 0 && rows > 1 ? 0 : 1));
      const tx = gpu.upload(x, [groups, rows, cols]);
      const tm = gpu.upload(mask, [rows], 'u32');
      const { mean, m2 } = await maskedMoments(gpu, tx, tm);
      const ref = maskedMomentsRef(x, mask, groups, rows, cols);
      expectRel(await gpu.read(mean), ref.mean, TOL.kernel, 'mean');
      expectRel(await gpu.read(m2), ref.m2, TOL.kernel, 'm2');
      gpu.release(tx, tm, mean, m2);
    });
  }

  it('gives zeros when every row is masked out', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(randomArray(12, 1), [1, 3, 4]);
    const tm = gpu.upload(new Uint32Array(3), [3], 'u32');
    const { mean, m2 } = await maskedMoments(gpu, tx, tm);
    expect([...(await gpu.read(mean)), ...(await gpu.read(m2))]).toEqual(new Array(8).fill(0));
    gpu.release(tx, tm, mean, m2);
  });
});
