import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/index.js';
import { projMatmul, type ProjWeight, type WeightFormat } from '../../src/model/kernels/proj-matmul.js';
import { packF16Rows, quantizeRows } from '../../src/model/quantize.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { dequantizedRef, f16RoundedRef, projMatmulRef } from '../ref/proj-matmul.js';
import { TOL } from '../tolerances.js';

/** Random weights with quantisation edge cases planted: ties at q+½, an all-zero run, a run's maximum. */
function plantedWeights(n: number, k: number, seed: number): Float32Array {
  const w = randomArray(n * k, seed);
  if (k >= 4) {
    w[0] = 127; // run max 127 → s = 1 for q8: the next values tie exactly
    w[1] = 2.5;
    w[2] = -3.5;
    w[3] = 0.5;
  }
  if (n > 1) w.fill(0, k, Math.min(2 * k, k + 32)); // row 1: an all-zero first run
  return w;
}

function upload(gpu: Gpu, w: Float32Array, n: number, k: number, format: WeightFormat): ProjWeight {
  if (format === 'f32') return { format, rows: n, cols: k, data: gpu.upload(w, [n, k]), scales: null };
  if (format === 'f16') {
    const words = packF16Rows(w, n, k);
    return { format, rows: n, cols: k, data: gpu.upload(words, [n, words.length / n], 'u32'), scales: null };
  }
  const p = quantizeRows(w, n, k, format === 'q8' ? 8 : 4);
  return { format, rows: n, cols: k, data: gpu.upload(p.words, [n, p.wordsPerRow], 'u32'), scales: gpu.upload(p.scales, [n, Math.ceil(k / 32)]) };
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [63, 33, 31],
  [65, 31, 33],
  [37, 5, 67],
  [64, 32, 64],
];

describe('proj-matmul kernel (tile 64 rows × 32 columns, 8×4 per thread)', () => {
  for (const format of ['f32', 'q8', 'q4', 'f16'] as const) {
    for (const [m, n, k] of SIZES) {
      it(`${format}: matches the float64 reference for M=${m} N=${n} K=${k}`, async (ctx) => {
        const gpu = await testGpu();
        const w = plantedWeights(n, k, 7 + m);
        const wRef = format === 'f32' ? w : format === 'f16' ? f16RoundedRef(w) : dequantizedRef(w, n, k, format === 'q8' ? 8 : 4);
        if (!wRef) ctx.skip();
        const x = randomArray(m * k, 3 + k);
        const tx = gpu.upload(x, [m, k]);
        const tw = upload(gpu, w, n, k, format);
        const ty = gpu.empty([m, n]);
        await projMatmul(gpu, tx, tw, ty, { m });
        expectRel(await gpu.read(ty), projMatmulRef(x, wRef!, m, n, k), TOL.kernel, `${format} ${m}×${n}×${k}`);
        gpu.release(tx, tw.data, tw.scales, ty);
      });
    }
  }

  it('accumulates with alpha, offsets, a row stride and a soft-cap', async () => {
    const gpu = await testGpu();
    const [m, n, k] = [9, 7, 13];
    const x = randomArray(2 * m * k, 11).map((v) => v * 20);
    const w = randomArray(n * k, 12);
    const stride = 10;
    const y0 = randomArray(3 + m * stride, 13);
    const tx = gpu.upload(x, [2 * m, k]);
    const ty = gpu.upload(y0, [y0.length]);
    const tw: ProjWeight = { format: 'f32', rows: n, cols: k, data: gpu.upload(w, [n, k]), scales: null };
    await projMatmul(gpu, tx, tw, ty, { m, xOffset: m * k, yOffset: 3, yStride: stride, accumulate: true, alpha: 0.75, cap: 5 });
    const got = await gpu.read(ty);
    const prior = Float64Array.from({ length: m * n }, (_, i) => y0[3 + Math.floor(i / n) * stride + (i % n)]);
    const ref = projMatmulRef(x.subarray(m * k), w, m, n, k, 0.75, prior, 5);
    const picked = Float64Array.from({ length: m * n }, (_, i) => got[3 + Math.floor(i / n) * stride + (i % n)]);
    expectRel(picked, ref, TOL.kernel, 'strided accumulate');
    expect(got[0]).toBe(y0[0]);
    expect(got[3 + n]).toBe(y0[3 + n]);
    gpu.release(tx, ty, tw.data);
  });
});
