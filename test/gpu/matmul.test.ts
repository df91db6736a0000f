import { describe, expect, it } from 'vitest';
import {
  forceVariantFamily,
  gemm,
  matmul,
  matmulTransA,
  matmulTransB,
  setTuneStore,
  tiledCandidates,
  type GemmDesc,
  type GemmPrecision,
  type Gpu,
  type MatmulOptions,
  type MatmulTile,
  type MatmulVariant,
} from '../../src/gpu/index.js';
import { tiledLoads } from '../../src/gpu/kernels/matmul-tiled.js';
import { expectRel, randomArray, relError } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { gemmRef, matmulRef, matmulTransARef, matmulTransBRef, roundToF16 } from '../ref/matmul.js';
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

  it('rejects per-thread blocks other than 4×4 outside tiled, and f16-emulated outside tiled', async () => {
    const gpu = await testGpu();
    const [tx, tw] = [gpu.empty([4, 4]), gpu.empty([4, 4])];
    await expect(matmul(gpu, tx, tw, { variant: 'blocked', tile: { x: 8, y: 8, k: 16, tm: 8 } })).rejects.toThrow(/4×4 outputs per thread/);
    await expect(matmul(gpu, tx, tw, { variant: 'tiled', tile: { x: 8, y: 8, k: 6 } })).rejects.toThrow(/k must be a multiple of 4/);
    await expect(matmul(gpu, tx, tw, { variant: 'naive', precision: 'f16-emulated' })).rejects.toThrow(/emulates the tiled kernel/);
    gpu.release(tx, tw);
  });
});

// The tiled kernel (matmul-tiled.wgsl) through gemm's strides: every way it loads an operand (scalar, vec4 along
// k, vec4 along m / n), per-thread blocks 4×4 to 8×8, k-depths that do and do not divide K, batches and edges.
// y starts random and is strided/offset where the case says so: elements the layout does not address must keep it.
type Layout = (M: number, N: number, K: number, batch: number) => GemmDesc;
const row = (off: number, sb: number, sr: number) => ({ off, sb, sr, sc: 1 });
const LAYOUTS: [string, Layout][] = [
  ['x·W', (M, N, K) => ({ M, N, K, batch: 1, a: row(0, M * K, K), b: row(0, K * N, N), c: row(0, M * N, N) })],
  ['x·Wᵀ', (M, N, K) => ({ M, N, K, batch: 1, a: row(0, M * K, K), b: { off: 0, sb: N * K, sr: 1, sc: K }, c: row(0, M * N, N) })],
  ['aᵀ·W', (M, N, K) => ({ M, N, K, batch: 1, a: { off: 0, sb: K * M, sr: 1, sc: M }, b: row(0, K * N, N), c: row(0, M * N, N) })],
  ['aᵀ·Wᵀ', (M, N, K) => ({ M, N, K, batch: 1, a: { off: 0, sb: K * M, sr: 1, sc: M }, b: { off: 0, sb: N * K, sr: 1, sc: K }, c: row(0, M * N, N) })],
  // Starts and row pitches off the 16-byte grid: both operands fall back to scalar loads.
  ['offset and padded', (M, N, K) => ({
    M, N, K, batch: 1,
    a: row(3, M * (K + 1) + 5, K + 1),
    b: { off: 2, sb: N * (K + 2) + 2, sr: 1, sc: K + 2 },
    c: row(5, M * (N + 3) + 1, N + 3),
  })],
];
// [M, N, K, batch]: vec4-aligned (two k-tiles at k 16, an edge in m and n), the same with a misaligned N, and
// everything odd (scalar loads whatever the layout).
const GEMM_SHAPES: [number, number, number, number][] = [
  [36, 40, 20, 2],
  [36, 33, 20, 3],
  [37, 33, 31, 1],
];
const TILES: MatmulTile[] = [
  { x: 8, y: 8, k: 16 },
  { x: 8, y: 8, k: 8, tm: 8, tn: 4 },
  { x: 4, y: 8, k: 4, tm: 8, tn: 8 },
  { x: 16, y: 4, k: 12, tm: 4, tn: 8 },
];

function withBatch(d: GemmDesc, batch: number): GemmDesc {
  return { ...d, batch };
}

function extent(l: GemmDesc['a'], batch: number, rows: number, cols: number): number {
  return l.off + (batch - 1) * l.sb + (rows - 1) * l.sr + (cols - 1) * l.sc + 1;
}

interface GemmCase {
  desc: GemmDesc;
  a: Float32Array;
  b: Float32Array;
  y0: Float32Array;
  bias: Float32Array;
}

function gemmCase(layout: Layout, [M, N, K, batch]: [number, number, number, number], seed: number): GemmCase {
  const desc = withBatch(layout(M, N, K, batch), batch);
  return {
    desc,
    a: randomArray(extent(desc.a, batch, M, K), seed),
    b: randomArray(extent(desc.b, batch, K, N), seed + 1),
    y0: randomArray(extent({ ...desc.c, sc: 1 }, batch, M, N), seed + 2),
    bias: randomArray(N + 2, seed + 3),
  };
}

/** Runs gemm on a fresh copy of the case's y0 and returns all of y. */
async function runGemm(gpu: Gpu, c: GemmCase, opts: MatmulOptions, withBias: boolean): Promise<Float32Array> {
  const [ta, tb, ty, tbias] = [gpu.upload(c.a, [c.a.length]), gpu.upload(c.b, [c.b.length]), gpu.upload(c.y0, [c.y0.length]), gpu.upload(c.bias, [c.bias.length])];
  try {
    await gemm(gpu, ta, tb, ty, c.desc, withBias ? { ...opts, bias: tbias, biasOffset: 2 } : opts);
    return await gpu.read(ty);
  } finally {
    gpu.release(ta, tb, ty, tbias);
  }
}

const loadsOf = (d: GemmDesc): string => {
  const l = tiledLoads(d);
  return `loads A ${l.a} B ${l.b}`;
};

describe('tiled gemm over strides', () => {
  for (const [name, layout] of LAYOUTS) {
    for (const [si, shape] of GEMM_SHAPES.entries()) {
      const desc = withBatch(layout(...shape), shape[3]);
      // The aligned shape also runs the epilogue with bias, alpha and beta.
      const epilogue = si === 0 ? { alpha: 0.5, beta: -2 } : {};
      it(`${name} matches the reference at every tile (M=${shape[0]} N=${shape[1]} K=${shape[2]} batch ${shape[3]}, ${loadsOf(desc)}${si === 0 ? ', bias+alpha+beta' : ''})`, async () => {
        const gpu = await testGpu();
        const c = gemmCase(layout, shape, 20 + si);
        const ref = gemmRef(c.desc, c.a, c.b, c.y0, si === 0 ? { ...epilogue, bias: c.bias, biasOffset: 2 } : {});
        for (const tile of TILES) {
          const got = await runGemm(gpu, c, { variant: 'tiled', tile, ...epilogue }, si === 0);
          expectRel(got, ref, TOL.kernel, `${name} tile ${JSON.stringify(tile)}`);
        }
      });
    }
  }

  it('the cases above reach every load kind of both operands', () => {
    const kinds = new Set<string>();
    for (const [, layout] of LAYOUTS) for (const shape of GEMM_SHAPES) kinds.add(loadsOf(withBatch(layout(...shape), shape[3])));
    for (const k of ['A 0 B 0', 'A 1 B 2', 'A 1 B 1', 'A 2 B 2', 'A 2 B 1', 'A 1 B 0', 'A 2 B 0']) expect([...kinds]).toContain(`loads ${k}`);
  });

  it('roundToF16 (the f16 reference) rounds to nearest even, keeps subnormals and overflows to infinity', () => {
    expect([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, 2 ** -25, 3 * 2 ** -26, -0.1].map(roundToF16))
      .toEqual([1, 1 + 2 ** -9, 65504, Infinity, 0, 2 ** -24, -0.0999755859375]);
  });

  // What is verified here: SwiftShader has no shader-f16, so 'f16-emulated' (the same matmul-tiled.wgsl with its
  // stage block swapped for f32 arithmetic that rounds staged values and products to f16) always runs, checking the
  // f16 kernels' tiling and indexing against a float64 product of f16-rounded inputs. The real `enable f16` module
  // is compiled and checked the same way only on a device with shader-f16; here it is not.
  it('f16 staging matches a float64 product of f16-rounded inputs (emulated always; shader-f16 where the device has it)', async () => {
    const gpu = await testGpu();
    const precisions: GemmPrecision[] = gpu.hasF16 ? ['f16-emulated', 'f16'] : ['f16-emulated'];
    const ran: string[] = [];
    for (const precision of precisions) {
      for (const [name, layout] of LAYOUTS) {
        for (const [si, shape] of [GEMM_SHAPES[0], GEMM_SHAPES[2]].entries()) {
          const c = gemmCase(layout, shape, 40 + si);
          const opts = { alpha: 0.5, beta: -2, bias: c.bias, biasOffset: 2 };
          const ref16 = gemmRef(c.desc, c.a, c.b, c.y0, { ...opts, round: roundToF16 });
          const ref32 = gemmRef(c.desc, c.a, c.b, c.y0, opts);
          for (const tile of [TILES[1], TILES[2]]) {
            const got = await runGemm(gpu, c, { variant: 'tiled', tile, precision, alpha: 0.5, beta: -2 }, true);
            const what = `${precision} ${name} M=${shape[0]} tile ${JSON.stringify(tile)}`;
            expectRel(got, ref16, TOL.f16Products, what);
            // The inputs were rounded: an f32 product would sit within TOL.kernel of ref32.
            expect(relError(got, ref32), `${what}: no sign of f16 rounding`).toBeGreaterThan(TOL.kernel);
            ran.push(precision);
          }
        }
      }
    }
    expect(ran).toContain('f16-emulated');
  });
});

describe('gemm on the gpu family', () => {
  it('tunes the tile once per shape class (scratch output, so beta accumulates once) and matches the reference', async () => {
    const gpu = await testGpu();
    const saved = new Map<string, string>();
    setTuneStore({ get: (k) => Promise.resolve(saved.get(k)), set: (k, v) => Promise.resolve(void saved.set(k, v)) });
    forceVariantFamily(gpu, 'gpu');
    try {
      const layout = LAYOUTS[1][1];
      const opts = { alpha: 0.5, beta: 1 };
      const counts: number[] = [];
      // 36 and 40 rows share a shape class (64): the second product reuses the first one's choice.
      for (const [M, seed] of [[36, 50], [40, 60]]) {
        const c = gemmCase(layout, [M, 40, 20, 1], seed);
        const before = gpu.dispatches;
        const got = await runGemm(gpu, c, opts, true);
        counts.push(gpu.dispatches - before);
        expectRel(got, gemmRef(c.desc, c.a, c.b, c.y0, { ...opts, bias: c.bias, biasOffset: 2 }), TOL.kernel, `tuned gemm M=${M}`);
      }
      const candidates = tiledCandidates(36, 40);
      // Each candidate: a warm-up and 2 timed runs; then the product itself.
      expect(counts).toEqual([3 * candidates.length + 1, 1]);
      expect(saved.size).toBe(1);
      expect(candidates.map((c) => c.id)).toContain([...saved.values()][0]);
    } finally {
      forceVariantFamily(gpu, null);
      setTuneStore(undefined);
    }
  });
});

