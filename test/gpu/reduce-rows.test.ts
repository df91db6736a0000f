import { describe, expect, it } from 'vitest';
import { rowMax, rowSum, rowSumSquares, sumAll } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { rowMaxRef, rowSumRef, rowSumSquaresRef } from '../ref/reduce-rows.js';
import { TOL } from '../tolerances.js';

// 256 threads per row: cols 1, 255, 257, 1009 (prime, > 3 strides), rows 1 and 7.
const SHAPES: [number, number][] = [[1, 1], [7, 1], [3, 255], [5, 257], [7, 1009], [128, 128]];

describe('row reduction kernels', () => {
  for (const [rows, cols] of SHAPES) {
    it(`rowSum, rowSumSquares and rowMax match the reference for [${rows}, ${cols}]`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows * 31 + cols);
      const tx = gpu.upload(x, [rows, cols]);
      const [s, q, m] = [await rowSum(gpu, tx), await rowSumSquares(gpu, tx), await rowMax(gpu, tx)];
      expect(s.shape).toEqual([rows]);
      // Sums of n signed terms: relative to the largest row, the float32 rounding of a tree is ≈ log2(n)·ε.
      expectRel(await gpu.read(s), rowSumRef(x, rows, cols), TOL.kernel, `rowSum [${rows}, ${cols}]`);
      expectRel(await gpu.read(q), rowSumSquaresRef(x, rows, cols), TOL.kernel, `rowSumSquares [${rows}, ${cols}]`);
      expect(Array.from(await gpu.read(m))).toEqual(Array.from(rowMaxRef(x, rows, cols)));
      gpu.release(tx, s, q, m);
    });
  }

  it('rowMax handles rows that are all negative and −inf', async () => {
    const gpu = await testGpu();
    const x = new Float32Array([-5, -3, -Infinity, -Infinity, -Infinity, -Infinity]);
    const tx = gpu.upload(x, [2, 3]);
    const m = await rowMax(gpu, tx);
    const got = await gpu.read(m);
    expect(got[0]).toBe(-3);
    // An all −inf row reports the lowest finite f32: WGSL has no infinity literal to start from.
    expect(got[1]).toBeLessThan(-3e38);
    gpu.release(tx, m);
  });

  for (const n of [1, 4095, 4097, 40_009]) {
    it(`sumAll sums ${n} elements (chunks of 4096, then their sum)`, async () => {
      const gpu = await testGpu();
      const x = randomArray(n, n);
      const tx = gpu.upload(x, [n]);
      const s = await sumAll(gpu, tx);
      const q = await sumAll(gpu, tx, 'rowSumSquares');
      let ref = 0;
      let refSq = 0;
      let scaleAbs = 0;
      for (const v of x) {
        ref += v;
        refSq += v * v;
        scaleAbs += Math.abs(v);
      }
      // Relative to Σ|x|: a signed sum can cancel to near zero.
      expectRel(await gpu.read(s), [ref], TOL.kernel, `sumAll n=${n}`, scaleAbs);
      expectRel(await gpu.read(q), [refSq], TOL.kernel, `sumAll squares n=${n}`);
      gpu.release(tx, s, q);
    });
  }
});
