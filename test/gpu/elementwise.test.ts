import { describe, expect, it } from 'vitest';
import { fill, mul, scale, sub } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { mulRef, scaleRef, subRef } from '../ref/elementwise.js';
import { TOL } from '../tolerances.js';

// Workgroup 256: sizes straddle it, 1009 is prime.
const SIZES = [1, 255, 257, 1009];

describe('element-wise kernels', () => {
  for (const n of SIZES) {
    it(`mul, sub, scale and fill match the reference when n = ${n}`, async () => {
      const gpu = await testGpu();
      const a = randomArray(n, 1);
      const b = randomArray(n, 2);
      const [ta, tb] = [gpu.upload(a, [n]), gpu.upload(b, [n])];
      const tm = await mul(gpu, ta, tb, 1.5);
      const ts = await sub(gpu, ta, tb, 0.25);
      const tc = await scale(gpu, ta, -3, 0.5);
      const tf = await fill(gpu, gpu.empty([n]), 2.5);
      expectRel(await gpu.read(tm), mulRef(a, b, 1.5), TOL.kernel, `mul n=${n}`);
      expectRel(await gpu.read(ts), subRef(a, b, 0.25), TOL.kernel, `sub n=${n}`);
      expectRel(await gpu.read(tc), scaleRef(a, -3, 0.5), TOL.kernel, `scale n=${n}`);
      expect(Array.from(await gpu.read(tf))).toEqual(new Array(n).fill(2.5));
      gpu.release(ta, tb, tm, ts, tc, tf);
    });
  }

  it('works on multi-dimensional shapes and writes into a given out', async () => {
    const gpu = await testGpu();
    const a = randomArray(3 * 5 * 7, 3);
    const b = randomArray(3 * 5 * 7, 4);
    const [ta, tb, out] = [gpu.upload(a, [3, 5, 7]), gpu.upload(b, [3, 5, 7]), gpu.empty([3, 5, 7])];
    expect(await mul(gpu, ta, tb, 1, out)).toBe(out);
    expectRel(await gpu.read(out), mulRef(a, b, 1), TOL.kernel, 'mul [3,5,7]');
    gpu.release(ta, tb, out);
  });

  it('rejects mismatched shapes and an out aliasing an input', async () => {
    const gpu = await testGpu();
    const [ta, tb] = [gpu.empty([4, 5]), gpu.empty([5, 4])];
    await expect(mul(gpu, ta, tb)).rejects.toThrow(/mul: b: expected shape \[4, 5\]/);
    await expect(scale(gpu, ta, 2, 0, ta)).rejects.toThrow(/share a buffer/);
    gpu.release(ta, tb);
  });
});
