import { describe, expect, it } from 'vitest';
import { forceVariantFamily, isCpuAdapter, setTuneStore, type Gpu } from '../../src/gpu/index.js';
import {
  PROJ_TILES,
  projMatmul,
  projTileProblem,
  tileId,
  tuneProjTile,
  type ProjTile,
  type ProjVariant,
  type ProjWeight,
  type WeightFormat,
} from '../../src/model/kernels/proj-matmul.js';
import { packF16Rows, quantizeRows } from '../../src/model/quantize.js';
import { expectRel, randomArray, relError } from '../helpers/assert.js';
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

describe('proj-matmul blocked variant (the CPU adapters\' default: 64 rows × 32 columns per workgroup, 8×4 per thread)', () => {
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
        await projMatmul(gpu, tx, tw, ty, { m, variant: 'blocked' });
        expectRel(await gpu.read(ty), projMatmulRef(x, wRef!, m, n, k), TOL.kernel, `${format} ${m}×${n}×${k}`);
        gpu.release(tx, tw.data, tw.scales, ty);
      });
    }
  }

  for (const format of ['f32', 'q4'] as const) {
    it(`${format}: accumulates with alpha, offsets, a row stride and a soft-cap`, () => epilogueCase('blocked', format, 13, 1));
  }
});

const FORMATS = ['f32', 'f16', 'q8', 'q4'] as const;

/** Weights, their reference W' and x for one case (formats whose reference needs Math.f16round skip without it). */
function caseData(format: WeightFormat, m: number, n: number, k: number, xRows = m): { w: Float32Array; wRef: Float64Array | Float32Array | null; x: Float32Array } {
  const w = plantedWeights(n, k, 7 + m + n);
  const wRef = format === 'f32' ? w : format === 'f16' ? f16RoundedRef(w) : dequantizedRef(w, n, k, format === 'q8' ? 8 : 4);
  return { w, wRef, x: randomArray(xRows * k, 3 + k) };
}

/**
 * y[3 + r·stride + c] += alpha·(x[xOff + r·K ..] · W'ᵀ), soft-capped, for rows after `skipRows` rows of x: checks the
 * offsets, the stride, accumulate and cap, and that elements outside the written block keep their values.
 */
async function epilogueCase(variant: ProjVariant, format: WeightFormat, k: number, skipRows: number, tile?: ProjTile): Promise<void> {
  const gpu = await testGpu();
  const [m, n] = [9, 7];
  const { w, wRef, x: x0 } = caseData(format, m, n, k, m + skipRows);
  const x = x0.map((v) => v * 20);
  const stride = 10;
  const y0 = randomArray(3 + m * stride, 13);
  const tx = gpu.upload(x, [m + skipRows, k]);
  const ty = gpu.upload(y0, [y0.length]);
  const tw = upload(gpu, w, n, k, format);
  await projMatmul(gpu, tx, tw, ty, { m, xOffset: skipRows * k, yOffset: 3, yStride: stride, accumulate: true, alpha: 0.75, cap: 5, variant, tile });
  const got = await gpu.read(ty);
  const prior = Float64Array.from({ length: m * n }, (_, i) => y0[3 + Math.floor(i / n) * stride + (i % n)]);
  const ref = projMatmulRef(x.subarray(skipRows * k), wRef!, m, n, k, 0.75, prior, 5);
  const picked = Float64Array.from({ length: m * n }, (_, i) => got[3 + Math.floor(i / n) * stride + (i % n)]);
  expectRel(picked, ref, TOL.kernel, `${variant} ${format} strided accumulate, K ${k}, x from row ${skipRows}`);
  expect(got[0]).toBe(y0[0]);
  expect(got[3 + n]).toBe(y0[3 + n]);
  gpu.release(tx, ty, tw.data, tw.scales);
}

// M, N, K not multiples of any tile, each of M 1/7/70, N 1/33/100, K 5/33/100/260 at least twice; K 100 and 260 take
// the vec4 loads of x (and of f32 W), K 5 and 33 the scalar ones.
const TILED_SIZES: [number, number, number][] = [
  [1, 1, 5],
  [7, 33, 33],
  [70, 100, 260],
  [70, 1, 100],
  [1, 100, 33],
  [7, 100, 5],
  [70, 33, 260],
  [1, 33, 100],
];

// The default tile; an odd row count per thread with 8 columns and the shortest k-step; a long k-step with 8 rows.
const TILES: ProjTile[] = [PROJ_TILES[0], { wgX: 4, wgY: 8, tm: 3, tn: 8, bk: 8 }, { wgX: 8, wgY: 2, tm: 8, tn: 4, bk: 32 }];

async function runCase(gpu: Gpu, format: WeightFormat, x: Float32Array, w: Float32Array, m: number, n: number, k: number, o: Partial<Parameters<typeof projMatmul>[4]>): Promise<Float32Array> {
  const tx = gpu.upload(x, [m, k]);
  const tw = upload(gpu, w, n, k, format);
  const ty = gpu.empty([m, n]);
  try {
    await projMatmul(gpu, tx, tw, ty, { m, ...o });
    return await gpu.read(ty);
  } finally {
    gpu.release(tx, tw.data, tw.scales, ty);
  }
}

describe('proj-matmul tiled variant (shared-memory tiles, W dequantised when staged)', () => {
  for (const tile of TILES) {
    for (const format of FORMATS) {
      for (const [m, n, k] of TILED_SIZES) {
        it(`${tileId(tile)} ${format}: matches the float64 reference for M=${m} N=${n} K=${k}`, async (ctx) => {
          const gpu = await testGpu();
          const { w, wRef, x } = caseData(format, m, n, k);
          if (!wRef) ctx.skip();
          const got = await runCase(gpu, format, x, w, m, n, k, { variant: 'tiled', tile });
          expectRel(got, projMatmulRef(x, wRef!, m, n, k), TOL.kernel, `${tileId(tile)} ${format} ${m}×${n}×${k}`);
        });
      }
    }
  }

  for (const format of FORMATS) {
    for (const [k, skipRows] of [[13, 1], [100, 1], [100, 4]] as const) {
      it(`${format}: accumulates with alpha, offsets, a row stride and a soft-cap (K ${k}, x from row ${skipRows})`, () =>
        epilogueCase('tiled', format, k, skipRows, TILES[1]));
    }
  }

  it('is what the GPU family runs by default, with the first tile and no tuning on a CPU adapter', async () => {
    const gpu = await testGpu();
    const [m, n, k] = [7, 33, 100];
    const { w, x } = caseData('f32', m, n, k);
    const run = (): Promise<Float32Array> => runCase(gpu, 'f32', x, w, m, n, k, { arithmetic: 'f16-emulated' });
    try {
      forceVariantFamily(gpu, 'gpu');
      const before = gpu.dispatches;
      // only the tiled variant takes an arithmetic other than f32, so this runs only if tiled was chosen
      const got = await run();
      if (isCpuAdapter(gpu)) expect(gpu.dispatches - before).toBe(1); // a GPU tunes first
      expectRel(got, projMatmulRef(f16RoundedRef(x)!, f16RoundedRef(w)!, m, n, k), TOL.kernel, 'default tiled, f16 emulated');
      forceVariantFamily(gpu, 'cpu');
      await expect(run()).rejects.toThrow(/tiled variant only/);
    } finally {
      forceVariantFamily(gpu, null);
    }
  });

  it('tuneProjTile times every tile once per problem on a scratch y, then reuses the choice', async () => {
    const gpu = await testGpu();
    const [m, n, k] = [70, 100, 260];
    const { w, x } = caseData('q8', m, n, k);
    const tx = gpu.upload(x, [m, k]);
    const tw = upload(gpu, w, n, k, 'q8');
    setTuneStore(null);
    try {
      const before = gpu.dispatches;
      const tile = await tuneProjTile(gpu, tx, tw, { m });
      expect(PROJ_TILES).toContainEqual(tile);
      // warm-up + 2 rounds of each tile the device can run (all of them on SwiftShader: 32 KiB of workgroup memory)
      const measured = 3 * PROJ_TILES.filter((t) => !projTileProblem(gpu, t, 'f32')).length;
      expect(gpu.dispatches - before).toBe(measured);
      expect(await tuneProjTile(gpu, tx, tw, { m: 65 })).toEqual(tile); // same size class: no new measurement
      expect(gpu.dispatches - before).toBe(measured);
      const got = await runCase(gpu, 'q8', x, w, m, n, k, { variant: 'tiled', tile });
      expectRel(got, projMatmulRef(x, dequantizedRef(w, n, k, 8), m, n, k), TOL.kernel, `tuned tile ${tileId(tile)}`);
    } finally {
      setTuneStore(undefined);
      gpu.release(tx, tw.data, tw.scales);
    }
  });
});

// What is verified where: here (SwiftShader, no shader-f16) the f16 template runs with S = f32 and every staged value
// rounded to f16 (pack2x16float), against a float64 product of f16-rounded x and W' within TOL.kernel: the indexing,
// the staging and the input rounding of the f16 build. The `enable f16` build itself (f16 tiles, f16 products) is
// compiled and checked only on a device with shader-f16, in the same test, against the same reference within TOL.f16Kernel.
describe('proj-matmul tiled f16 arithmetic', () => {
  for (const format of FORMATS) {
    for (const [m, n, k] of [[7, 33, 33], [70, 100, 260], [1, 100, 5]] as const) {
      it(`${format}: f16 staging (emulated here; native where shader-f16 exists) matches the f16-rounded reference for M=${m} N=${n} K=${k}`, async (ctx) => {
        const gpu = await testGpu();
        const { w, wRef, x } = caseData(format, m, n, k);
        const xRef = f16RoundedRef(x);
        if (!wRef || !xRef) ctx.skip();
        const ref = projMatmulRef(xRef!, f16RoundedRef(Float32Array.from(wRef!))!, m, n, k);
        for (const tile of [TILES[0], TILES[1]]) {
          const emulated = await runCase(gpu, format, x, w, m, n, k, { variant: 'tiled', tile, arithmetic: 'f16-emulated' });
          expectRel(emulated, ref, TOL.kernel, `${tileId(tile)} ${format} f16 emulated`);
          if (gpu.hasF16) {
            const native = await runCase(gpu, format, x, w, m, n, k, { variant: 'tiled', tile, arithmetic: 'f16' });
            expectRel(native, ref, TOL.f16Kernel, `${tileId(tile)} ${format} f16 native`);
          } else {
            await expect(runCase(gpu, format, x, w, m, n, k, { variant: 'tiled', tile, arithmetic: 'f16' })).rejects.toThrow(/shader-f16/);
          }
        }
        // the rounding is real: against unrounded inputs the emulated result is off by f16's precision
        if (k > 32) expect(relError(await runCase(gpu, format, x, w, m, n, k, { variant: 'tiled', arithmetic: 'f16-emulated', tile: TILES[0] }), projMatmulRef(x, wRef!, m, n, k))).toBeGreaterThan(TOL.kernel);
      });
    }
  }
});
