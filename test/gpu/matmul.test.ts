import { describe, expect, it } from 'vitest';
import { gemm, matmul, matmulTransA, matmulTransB, type MatmulVariant } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { matmulRef, matmulTransARef, matmulTransBRef } from '../ref/matmul.js';
import { TOL } from '../tolerances.js';

// Default tile: 8×8 threads × 4×4 outputs = 32×32 (k-depth 16), so 31/33 straddle it and 37 is prime.
// K and N divisible by 4 (16, 20, 36, 96, 128) send `blocked` through its vec4 form, the others through the scalar one.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 33],
  [31, 16, 33],
  [33, 31, 31],
  [37, 33, 17],
  [33, 20, 36],
  [64, 128, 96],
];
const VARIANTS: MatmulVariant[] = ['blocked', 'tiled', 'naive'];

describe('matmul kernel', () => {
  for (const variant of VARIANTS) {
    for (const [M, K, N] of SHAPES) {
      it(`x·W matches the reference (${variant}, M=${M} K=${K} N=${N})`, async () => {
        const gpu = await testGpu();
        const x = randomArray(M * K, 1);
        const w = randomArray(K * N, 2);
        const tx = gpu.upload(x, [M, K]);
        const tw = gpu.upload(w, [K, N]);
        const y = await matmul(gpu, tx, tw, { variant });
        expectRel(await gpu.read(y), matmulRef(x, w, M, K, N), TOL.kernel, `matmul ${variant} ${M}x${K}x${N}`);
        gpu.release(tx, tw, y);
      });

      it(`x·Wᵀ matches the reference (${variant}, M=${M} K=${K} N=${N})`, async () => {
        const gpu = await testGpu();
        const x = randomArray(M * K, 3);
        const w = randomArray(N * K, 4);
        const tx = gpu.upload(x, [M, K]);
        const tw = gpu.upload(w, [N, K]);
        const y = await matmulTransB(gpu, tx, tw, { variant });
        expectRel(await gpu.read(y), matmulTransBRef(x, w, M, K, N), TOL.kernel, `matmulTransB ${variant} ${M}x${K}x${N}`);
        gpu.release(tx, tw, y);
      });
    }
  }

  for (const variant of VARIANTS) {
    it(`adds bias and accumulates into out with alpha and beta (${variant})`, async () => {
      const gpu = await testGpu();
      const [M, K, N] = [29, 41, 35];
      const x = randomArray(M * K, 5);
      const w = randomArray(N * K, 6);
      const bias = randomArray(N, 7);
      const y0 = randomArray(M * N, 8);
      const [tx, tw, tb, ty] = [gpu.upload(x, [M, K]), gpu.upload(w, [N, K]), gpu.upload(bias, [N]), gpu.upload(y0, [M, N])];
      await matmulTransB(gpu, tx, tw, { variant, bias: tb, out: ty, alpha: 0.5, beta: -2 });
      const ref = matmulTransBRef(x, w, M, K, N, { alpha: 0.5, beta: -2, y0, bias });
      expectRel(await gpu.read(ty), ref, TOL.kernel, `matmulTransB bias+beta ${variant}`);
      gpu.release(tx, tw, tb, ty);
    });

    it(`batched x [B, M, K] with a batched W and with a shared W (${variant})`, async () => {
      const gpu = await testGpu();
      const [B, M, K, N] = [3, 5, 19, 7];
      const x = randomArray(B * M * K, 9);
      const wb = randomArray(B * N * K, 10);
      const tx = gpu.upload(x, [B, M, K]);
      const tw = gpu.upload(wb, [B, N, K]);
      const y = await matmulTransB(gpu, tx, tw, { variant });
      expect(y.shape).toEqual([B, M, N]);
      const got = await gpu.read(y);
      for (let b = 0; b < B; b++) {
        const ref = matmulTransBRef(x.subarray(b * M * K), wb.subarray(b * N * K), M, K, N);
        expectRel(got.subarray(b * M * N, (b + 1) * M * N), ref, TOL.kernel, `batch ${b}`);
      }
      const ws = gpu.upload(wb.subarray(0, K * N), [K, N]);
      const ys = await matmul(gpu, tx, ws, { variant });
      expectRel(await gpu.read(ys), matmulRef(x, wb.subarray(0, K * N), B * M, K, N), TOL.kernel, 'shared W');
      gpu.release(tx, tw, y, ws, ys);
    });

    it(`aᵀ·b matches the reference (${variant}, K=37 M=33 N=31)`, async () => {
      const gpu = await testGpu();
      const [K, M, N] = [37, 33, 31];
      const a = randomArray(K * M, 11);
      const b = randomArray(K * N, 12);
      const [ta, tb] = [gpu.upload(a, [K, M]), gpu.upload(b, [K, N])];
      const y = await matmulTransA(gpu, ta, tb, { variant });
      expectRel(await gpu.read(y), matmulTransARef(a, b, K, M, N), TOL.kernel, `matmulTransA ${variant}`);
      gpu.release(ta, tb, y);
    });
  }

  it('runs with a non-default tile (override): 4×16 threads, k-depth 8', async () => {
    const gpu = await testGpu();
    const [M, K, N] = [67, 23, 17];
    const x = randomArray(M * K, 13);
    const w = randomArray(N * K, 14);
    const [tx, tw] = [gpu.upload(x, [M, K]), gpu.upload(w, [N, K])];
    for (const variant of ['blocked', 'tiled'] as const) {
      const y = await matmulTransB(gpu, tx, tw, { variant, tile: { x: 4, y: 16, k: 8 } });
      expectRel(await gpu.read(y), matmulTransBRef(x, w, M, K, N), TOL.kernel, `tile 4x16 ${variant}`);
      gpu.release(y);
    }
    gpu.release(tx, tw);
  });

  it('rejects mismatched shapes before dispatching', async () => {
    const gpu = await testGpu();
    const tx = gpu.empty([4, 5]);
    const tw = gpu.empty([6, 4]);
    await expect(matmulTransB(gpu, tx, tw)).rejects.toThrow(/disagree on K/);
    await expect(matmul(gpu, tx, tw, { beta: 1 })).rejects.toThrow(/disagree on K/);
    const y = gpu.empty([4, 6]);
    const rowMajor = { off: 0, sb: 0, sr: 5, sc: 1 };
    const desc = { M: 4, N: 6, K: 5, batch: 1, a: rowMajor, b: { off: 1, sb: 0, sr: 1, sc: 4 }, c: { off: 0, sb: 0, sr: 6, sc: 1 } };
    await expect(gemm(gpu, tx, tw, y, desc)).rejects.toThrow(/gemm: b \[6, 4\] is too small/);
    const square = gpu.empty([5, 5]);
    await expect(matmul(gpu, tx, square, { out: tx })).rejects.toThrow(/must not share a buffer/);
    gpu.release(tx, tw, y, square);
  });
});
