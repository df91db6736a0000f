import { autotune, BYTES_PER_ELEMENT, expectShape, isCpuAdapter, numel, packParams, sizeClass, variantFamily, workgroupProblem, type Gpu, type GpuTensor, type Kernel } from '../../gpu/index.js';
import source from './proj-matmul.wgsl?raw';

/** How a projection's weights sit on the GPU (see quantize.ts for the packing). */
export type WeightFormat = 'f32' | 'f16' | 'q8' | 'q4';

/** blocked: `main`, 8×4 outputs per thread straight from storage (CPU adapters); tiled: shared-memory tiles (GPUs). */
export type ProjVariant = 'blocked' | 'tiled';

/**
 * Arithmetic of the tiled variant. f16: tiles staged as f16, products (4-term dot products) in f16, sums in f32;
 * needs `shader-f16`. f16-emulated: the same template with S = f32 and every staged value rounded to f16, so that
 * the f16 build's indexing and input rounding are checked where `shader-f16` is missing (tests and benches only).
 */
export type ProjArithmetic = 'f32' | 'f16' | 'f16-emulated';

/** The tiled variant's shape: wgX × wgY threads, each owning tm rows × tn columns of y, over k-steps of bk. */
export interface ProjTile {
  wgX: number;
  wgY: number;
  /** 1 … 8 */
  tm: number;
  /** 4 or 8 */
  tn: number;
  /** a multiple of 8 */
  bk: number;
}

const FORMAT_CODE: Record<WeightFormat, number> = { f32: 0, f16: 1, q8: 2, q4: 3 };
/** blocked: columns and rows of y per workgroup (4 × 8 per thread, 8 × 8 threads) */
const WG = 8;
const TILE_N = 4 * WG;
const TILE_M = 8 * WG;

// The f16 builds are this file with its staged type swapped (one template, so the emulated build checks the real one's code).
const F32_STAGE = 'alias S = f32;\nfn stage(v: vec4f) -> vec4<S> { return v; }';
const STAGES: Record<ProjArithmetic, string> = {
  f32: F32_STAGE,
  f16: 'enable f16;\nalias S = f16;\nfn stage(v: vec4f) -> vec4<S> { return vec4<f16>(v); }',
  'f16-emulated': 'alias S = f32;\nfn stage(v: vec4f) -> vec4<S> { return vec4f(unpack2x16float(pack2x16float(v.xy)), unpack2x16float(pack2x16float(v.zw))); }',
};

function withStage(arithmetic: ProjArithmetic): string {
  if (!source.includes(F32_STAGE)) throw new Error('proj-matmul.wgsl: the staged-type lines the f16 builds replace are missing');
  return source.replace(F32_STAGE, STAGES[arithmetic]);
}

export const projMatmulKernels: { blocked: Kernel; tiled: Record<ProjArithmetic, Kernel> } = {
  blocked: { name: 'proj-matmul', source, entryPoint: 'main' },
  tiled: {
    f32: { name: 'proj-matmul', source, entryPoint: 'tiled' },
    f16: { name: 'proj-matmul-f16', source: withStage('f16'), entryPoint: 'tiled' },
    'f16-emulated': { name: 'proj-matmul-f16-emulated', source: withStage('f16-emulated'), entryPoint: 'tiled' },
  },
};

/**
 * The tiled shapes autotune measures; the first is used where nothing is measured. Square 64–128 blocks for many
 * rows, a flat 8 × 128 block for few (a handful of tokens), where W's reads dominate; k-steps of 32 (a whole q8
 * run of each W row per read) where workgroup memory allows (in f32 the last two need more than WebGPU's default 16 KiB).
 */
export const PROJ_TILES: readonly ProjTile[] = [
  { wgX: 16, wgY: 16, tm: 4, tn: 4, bk: 16 },
  { wgX: 16, wgY: 16, tm: 8, tn: 4, bk: 16 },
  { wgX: 16, wgY: 16, tm: 4, tn: 8, bk: 16 },
  { wgX: 16, wgY: 8, tm: 8, tn: 8, bk: 16 },
  { wgX: 16, wgY: 16, tm: 8, tn: 8, bk: 8 },
  { wgX: 32, wgY: 2, tm: 4, tn: 4, bk: 16 },
  { wgX: 16, wgY: 16, tm: 4, tn: 4, bk: 32 },
  { wgX: 16, wgY: 16, tm: 4, tn: 8, bk: 32 },
];

/** Tuning measures at most this many rows and columns of a problem: enough to fill a GPU, at a bounded cost. */
const TUNE_ROWS = 1024;
const TUNE_COLS = 4096;

export function tileId(t: ProjTile): string {
  return `${t.wgX}x${t.wgY}.${t.tm}x${t.tn}.k${t.bk}`;
}

/** Why this device cannot run `t` with this arithmetic (null: it can). */
export function projTileProblem(gpu: Gpu, t: ProjTile, arithmetic: ProjArithmetic): string | null {
  const int = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (!int(t.wgX) || !int(t.wgY) || !int(t.tm) || t.tm > 8) return 'wgX, wgY must be positive integers and tm 1 … 8';
  if (t.tn !== 4 && t.tn !== 8) return 'tn must be 4 or 8';
  if (!int(t.bk) || t.bk % 8 !== 0) return 'bk must be a positive multiple of 8';
  // staged rows are bk/4 vec4s plus one of padding
  return workgroupProblem(gpu, t.wgX, t.wgY, (t.wgY * t.tm + t.wgX * t.tn) * (t.bk / 4 + 1) * (arithmetic === 'f16' ? 8 : 16));
}

/** A weight matrix W [rows = out, cols = in] as uploaded: f32 values, or packed codes plus per-run scales. */
export interface ProjWeight {
  format: WeightFormat;
  rows: number;
  cols: number;
  /** f32 [rows, cols] for 'f32'; u32 [rows, wordsPerRow] otherwise */
  data: GpuTensor;
  /** f32 [rows, ceil(cols/32)] for q8/q4, else null */
  scales: GpuTensor | null;
}

/** Number of u32 words holding one packed row of `cols` values. */
export function wordsPerRow(format: WeightFormat, cols: number): number {
  const perWord = { f32: 1, f16: 2, q8: 4, q4: 8 }[format];
  return Math.ceil(cols / perWord);
}

export interface ProjMatmulOptions {
  /** rows of x (and of y) */
  m: number;
  /** element offset of x's first row */
  xOffset?: number;
  /** element offset of y's first row */
  yOffset?: number;
  /** elements between rows of y (default N) */
  yStride?: number;
  /** add into y instead of overwriting */
  accumulate?: boolean;
  alpha?: number;
  /** soft-cap y = cap·tanh(y/cap) after the sum (0 = none) */
  cap?: number;
  /** default: blocked for variantFamily 'cpu', tiled for 'gpu' */
  variant?: ProjVariant;
  /** tiled only; default: tuned once per adapter and problem (PROJ_TILES[0] on CPU adapters) */
  tile?: ProjTile;
  /** tiled only; default: f16 for f16 weights on a device with shader-f16 (see defaultArithmetic), else f32 */
  arithmetic?: ProjArithmetic;
}

/**
 * f16 weights get f16 arithmetic where the device has it: their users already accept f16's precision (the fixtures
 * allow 1e-2 relative for f16 weights), and rounding x to f16 as well moved the engine's f16 fixture error only from
 * 2.16e-3 to 2.32e-3 (emulated on SwiftShader; f16 products add rounding of the order of f16's 2^-11 per 4-term
 * dot product). Half-size tiles halve workgroup memory and its traffic. test/gpu/model-gpu-variants.test.ts checks
 * this path against the fixtures on any device with shader-f16. The risk taken: an activation past f16's ±65504
 * would become infinite. q8/q4 keep f32: their fixtures allow only 1e-3.
 */
function defaultArithmetic(gpu: Gpu, format: WeightFormat): ProjArithmetic {
  return format === 'f16' && gpu.hasF16 ? 'f16' : 'f32';
}

/** One dispatch's sizes and epilogue, already checked. */
interface Problem {
  m: number;
  n: number;
  k: number;
  xOffset: number;
  yOffset: number;
  yStride: number;
  accumulate: boolean;
  alpha: number;
  cap: number;
}

function paramsOf(w: ProjWeight, p: Problem): ArrayBuffer {
  return packParams([
    { u32: p.m }, { u32: p.n }, { u32: p.k },
    { u32: p.xOffset }, { u32: p.yOffset }, { u32: p.yStride },
    { u32: p.accumulate ? 1 : 0 }, { u32: wordsPerRow(w.format, p.k) }, { u32: Math.ceil(p.k / 32) },
    { f32: p.alpha }, { f32: p.cap },
  ]);
}

const vec4Dummies = new WeakMap<Gpu, GpuTensor>();

/**
 * `t` for a vec4 view binding, or a 16-byte stand-in when `t` is shorter: WebGPU requires one whole vec4, and the
 * kernel reads the views only when K % 4 = 0, which a tensor shorter than 4 elements cannot meet.
 */
function vec4View(gpu: Gpu, t: GpuTensor): GpuTensor {
  if (numel(t.shape) * BYTES_PER_ELEMENT[t.dtype] >= 16) return t;
  let d = vec4Dummies.get(gpu);
  if (!d) vec4Dummies.set(gpu, (d = gpu.empty([4], 'f32', 'proj-matmul.no-vec4')));
  return d;
}

async function runTiled(gpu: Gpu, x: GpuTensor, w: ProjWeight, y: GpuTensor, p: Problem, tile: ProjTile, arithmetic: ProjArithmetic): Promise<void> {
  const workgroups: [number, number, number] = [Math.ceil(p.n / (tile.wgX * tile.tn)), Math.ceil(p.m / (tile.wgY * tile.tm)), 1];
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups.some((g) => g > maxDim)) throw new Error(`projMatmul: grid ${workgroups.join(' × ')} exceeds ${maxDim} workgroups per dimension`);
  await gpu.run(projMatmulKernels.tiled[arithmetic], {
    params: paramsOf(w, p),
    // 5 and 6 are vec4 views of x and W (read-only, so binding a buffer twice is allowed)
    buffers: [x, w.data, w.scales ?? w.data, y, vec4View(gpu, x), vec4View(gpu, w.data)],
    workgroups,
    overrides: { FORMAT: FORMAT_CODE[w.format], WGX: tile.wgX, WGY: tile.wgY, TM: tile.tm, TN: tile.tn, BK: tile.bk },
  });
}

/**
 * The tiled shape for this problem on this adapter: every PROJ_TILES entry the device can run is timed once per
 * (adapter, format, arithmetic, sizeClass(m), N, K) on at most TUNE_ROWS × TUNE_COLS of the problem, reading the
 * real x and W and writing a scratch y (never the caller's, which accumulate mode would corrupt); then cached (autotune).
 */
export async function tuneProjTile(gpu: Gpu, x: GpuTensor, w: ProjWeight, o: { m: number; xOffset?: number }, arithmetic: ProjArithmetic = 'f32'): Promise<ProjTile> {
  const m = Math.min(o.m, TUNE_ROWS);
  const n = Math.min(w.rows, TUNE_COLS);
  const p: Problem = { m, n, k: w.cols, xOffset: o.xOffset ?? 0, yOffset: 0, yStride: n, accumulate: false, alpha: 1, cap: 0 };
  const candidates = PROJ_TILES.filter((t) => !projTileProblem(gpu, t, arithmetic)).map((tile) => ({ id: tileId(tile), tile }));
  let scratch: GpuTensor | null = null;
  try {
    const problem = `proj-matmul|${w.format}|${arithmetic}|m${sizeClass(o.m)}|n${w.rows}|k${w.cols}`;
    const chosen = await autotune(gpu, problem, candidates, (c) => runTiled(gpu, x, w, (scratch ??= gpu.empty([m, n], 'f32', 'proj-matmul.tune')), p, c.tile, arithmetic));
    return chosen.tile;
  } finally {
    gpu.release(scratch);
  }
}

/**
 * y = alpha · x Wᵀ (+ y), rows m of x starting at xOffset, written with row stride yStride.
 * @param x [..] f32, at least xOffset + m·K elements
 * @param y [..] f32, at least yOffset + (m−1)·yStride + N elements
 */
export async function projMatmul(gpu: Gpu, x: GpuTensor, w: ProjWeight, y: GpuTensor, o: ProjMatmulOptions): Promise<void> {
  const { rows: n, cols: k } = w;
  const xOffset = o.xOffset ?? 0;
  const yOffset = o.yOffset ?? 0;
  const yStride = o.yStride ?? n;
  if (o.m < 0 || !Number.isInteger(o.m)) throw new Error(`projMatmul: bad row count ${o.m}`);
  if (o.m === 0) return;
  if (xOffset + o.m * k > numel(x.shape)) throw new Error(`projMatmul: x has ${numel(x.shape)} elements, needs ${xOffset + o.m * k}`);
  if (yOffset + (o.m - 1) * yStride + n > numel(y.shape)) throw new Error(`projMatmul: y has ${numel(y.shape)} elements, too few for ${o.m} rows`);
  if (yStride < n) throw new Error(`projMatmul: yStride ${yStride} < N ${n}`);
  if (w.format === 'f32') expectShape('projMatmul: W', w.data, [n, k]);
  else expectShape('projMatmul: W', w.data, [n, wordsPerRow(w.format, k)]);
  if (w.format === 'q8' || w.format === 'q4') {
    if (!w.scales) throw new Error(`projMatmul: ${w.format} weight without scales`);
    expectShape('projMatmul: scales', w.scales, [n, Math.ceil(k / 32)]);
  }
  const p: Problem = { m: o.m, n, k, xOffset, yOffset, yStride, accumulate: o.accumulate ?? false, alpha: o.alpha ?? 1, cap: o.cap ?? 0 };
  const variant = o.variant ?? (variantFamily(gpu) === 'cpu' ? 'blocked' : 'tiled');
  if (variant === 'blocked') {
    if (o.tile || (o.arithmetic ?? 'f32') !== 'f32') throw new Error('projMatmul: tile and arithmetic options apply to the tiled variant only');
    await gpu.run(projMatmulKernels.blocked, {
      params: paramsOf(w, p),
      // f32/f16 weights read no scales; any small tensor fills the binding
      buffers: [x, w.data, w.scales ?? w.data, y],
      workgroups: [Math.ceil(n / TILE_N), Math.ceil(o.m / TILE_M), 1],
      overrides: { FORMAT: FORMAT_CODE[w.format], WGX: WG, WGY: WG },
    });
    return;
  }
  const arithmetic = o.arithmetic ?? defaultArithmetic(gpu, w.format);
  if (arithmetic === 'f16' && !gpu.hasF16) throw new Error('projMatmul: f16 arithmetic needs the shader-f16 feature, which this device lacks');
  // A CPU adapter (the GPU family forced there for tests) is not tuned: its timings say nothing about a GPU.
  const tile = o.tile ?? (isCpuAdapter(gpu) ? PROJ_TILES[0] : await tuneProjTile(gpu, x, w, o, arithmetic));
  const problem = projTileProblem(gpu, tile, arithmetic);
  if (problem) throw new Error(`projMatmul: tile ${tileId(tile)}: ${problem}`);
  await runTiled(gpu, x, w, y, p, tile, arithmetic);
}
