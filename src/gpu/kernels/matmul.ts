import { autotune } from '../autotune.js';
import type { Gpu } from '../gpu.js';
import type { Kernel } from '../pipelines.js';
import { packParams } from '../params.js';
import { expectShape, numel, shapeString, type GpuTensor } from '../tensor.js';
import { variantFamily } from '../variants.js';
import { tiledCandidates, tiledKernels, tiledLoads, tiledTile, tuneDesc, tuneProblem, type TiledLoads } from './matmul-tiled.js';
import source from './matmul.wgsl?raw';

/**
 * blocked: 4×4 per thread, no shared memory (SwiftShader); tiled: shared-memory tiles with register blocks and
 * vec4 loads (real GPUs; matmul-tiled.wgsl); naive: one thread per output.
 */
export type MatmulVariant = 'blocked' | 'tiled' | 'naive';

export const matmulKernels: Record<'blocked' | 'blockedVec4' | 'naive', Kernel> = {
  blocked: { name: 'matmul', source, entryPoint: 'blocked' },
  /** blocked with vec4 loads; gemm picks it for `blocked` when the layout allows (see vec4Layout). */
  blockedVec4: { name: 'matmul', source, entryPoint: 'blockedVec4' },
  naive: { name: 'matmul', source, entryPoint: 'naive' },
};

/**
 * Workgroup shape (threads along n and m) and the k-depth of a shared tile (tiled only). Each thread computes
 * tm × tn outputs: 4×4 in blocked, 4 or 8 each in tiled (default 4), 1×1 in naive.
 */
export interface MatmulTile {
  x: number;
  y: number;
  k: number;
  tm?: number;
  tn?: number;
}

export const DEFAULT_MATMUL_TILE: MatmulTile = { x: 8, y: 8, k: 16 };

/**
 * What tiled stages its tiles in and multiplies in; sums are f32 in all three.
 * - 'f32': the default.
 * - 'f16': f16 tiles and products where the device has `shader-f16` (f32 elsewhere). Inputs keep about 3 significant
 *   digits and must stay within ±65504, so only callers that accept that should ask for it.
 * - 'f16-emulated': the f16 kernel's rounding done in f32 arithmetic (pack2x16float), slower than either; it checks
 *   the f16 kernel's tiling on devices without `shader-f16`.
 */
export type GemmPrecision = 'f32' | 'f16' | 'f16-emulated';

export interface MatmulOptions {
  /** y = alpha·(x·W) + beta·out + bias; beta ≠ 0 needs `out` (accumulate into it). */
  alpha?: number;
  beta?: number;
  /** [N] f32, added to every row. */
  bias?: GpuTensor;
  /** First element of the bias to use (gemm only: a column block of a longer bias); default 0. */
  biasOffset?: number;
  out?: GpuTensor;
  /**
   * Default: blocked on CPU fallback adapters (SwiftShader); elsewhere tiled, with a tile measured once per
   * adapter and shape class (autotune) unless `tile` is given.
   */
  variant?: MatmulVariant;
  tile?: MatmulTile;
  /** Default 'f32'; 'f16' and 'f16-emulated' apply to the tiled variant. */
  precision?: GemmPrecision;
}

/** Element strides of one operand: element [b, r, c] sits at off + b·sb + r·sr + c·sc. */
export interface OperandLayout {
  off: number;
  sb: number;
  sr: number;
  sc: number;
}

/** A general strided product y[b] = alpha·A[b]·B[b] + beta·y[b] + bias, all dims and strides in elements. */
export interface GemmDesc {
  M: number;
  N: number;
  K: number;
  batch: number;
  /** A[b, m, k]: sr = m stride, sc = k stride. */
  a: OperandLayout;
  /** B[b, k, n]: sr = k stride, sc = n stride. */
  b: OperandLayout;
  /** y[b, m, n]: sr = m stride (columns contiguous, sc ignored). */
  c: OperandLayout;
}

/** The variant that suits this adapter (or the forced family): SwiftShader handles barriers badly, real GPUs reward shared tiles. */
export function defaultMatmulVariant(gpu: Gpu): MatmulVariant {
  return variantFamily(gpu) === 'cpu' ? 'blocked' : 'tiled';
}

/** Whether blockedVec4 can read this product: A rows and B runs in whole, 16-byte aligned vec4s. */
function vec4Layout(d: GemmDesc): boolean {
  const aligned = (...v: number[]): boolean => v.every((x) => x % 4 === 0);
  if (d.a.sc !== 1 || !aligned(d.K, d.a.off, d.a.sr, d.a.sb, d.b.off, d.b.sb)) return false;
  if (d.b.sr === 1) return aligned(d.b.sc);
  return d.b.sc === 1 && aligned(d.N, d.b.sr);
}

const dummyBias = new WeakMap<Gpu, GpuTensor>();

function biasOrDummy(gpu: Gpu, bias: GpuTensor | undefined): GpuTensor {
  if (bias) return bias;
  let t = dummyBias.get(gpu);
  if (!t) {
    t = gpu.empty([1], 'f32', 'matmul.no-bias');
    dummyBias.set(gpu, t);
  }
  return t;
}

function checkGemm(a: GpuTensor, b: GpuTensor, y: GpuTensor, desc: GemmDesc, opts: MatmulOptions): void {
  const { M, N, K, batch } = desc;
  if (M < 1 || N < 1 || batch < 1 || K < 0) throw new Error(`gemm: bad sizes M=${M} N=${N} K=${K} batch=${batch}`);
  // WebGPU rejects a dispatch that binds one buffer both read-only and writable.
  if (y.buffer === a.buffer || y.buffer === b.buffer || y.buffer === opts.bias?.buffer) throw new Error('matmul: out must not share a buffer with an input');
  const biasOffset = opts.biasOffset ?? 0;
  if (opts.bias && (opts.bias.shape.length !== 1 || biasOffset + N > opts.bias.shape[0])) {
    throw new Error(`matmul: bias ${shapeString(opts.bias.shape)} does not hold ${N} values from element ${biasOffset}`);
  }
  const reach: [string, GpuTensor, OperandLayout, number, number][] = [['a', a, desc.a, M, K], ['b', b, desc.b, K, N], ['y', y, desc.c, M, N]];
  for (const [name, t, layout, rows, cols] of reach) {
    const extent = K === 0 && name !== 'y' ? 0 : gemmExtent({ ...layout, sc: name === 'y' ? 1 : layout.sc }, batch, rows, cols);
    if (extent > numel(t.shape)) throw new Error(`gemm: ${name} ${shapeString(t.shape)} is too small for the layout (needs ${extent} elements)`);
  }
}

function gemmParams(desc: GemmDesc, opts: MatmulOptions): ArrayBuffer {
  return packParams([
    { u32: desc.M }, { u32: desc.N }, { u32: desc.K }, { u32: desc.batch },
    { u32: desc.a.off }, { u32: desc.a.sb }, { u32: desc.a.sr }, { u32: desc.a.sc },
    { u32: desc.b.off }, { u32: desc.b.sb }, { u32: desc.b.sr }, { u32: desc.b.sc },
    { u32: desc.c.off }, { u32: desc.c.sb }, { u32: desc.c.sr }, { u32: opts.bias ? 1 : 0 },
    { f32: opts.alpha ?? 1 }, { f32: opts.beta ?? 0 }, { u32: opts.biasOffset ?? 0 },
  ]);
}

/** Workgroups covering y in blocks of blockM × blockN, one layer per batch. */
function gemmGrid(gpu: Gpu, desc: GemmDesc, blockM: number, blockN: number): [number, number, number] {
  const workgroups: [number, number, number] = [Math.ceil(desc.N / blockN), Math.ceil(desc.M / blockM), desc.batch];
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups.some((g) => g > maxDim)) throw new Error(`gemm: grid ${shapeString(workgroups)} exceeds ${maxDim} workgroups per dimension`);
  return workgroups;
}

/**
 * `t` bound in whole vec4s, as tiled's array<vec4f> views need (gpu.run binds numel·4 bytes, which would leave a
 * last partial vec4 unreadable). Pool buffers are 16-byte multiples and views start 16-byte aligned, so the rounded
 * binding stays inside the buffer.
 */
function wholeVec4s(t: GpuTensor): GpuTensor {
  return { ...t, shape: [Math.ceil(numel(t.shape) / 4) * 4] };
}

async function runTiled(gpu: Gpu, a: GpuTensor, b: GpuTensor, y: GpuTensor, desc: GemmDesc, loads: TiledLoads, tile: MatmulTile, precision: GemmPrecision, opts: MatmulOptions): Promise<void> {
  const t = tiledTile(gpu, tile, precision);
  await gpu.run(tiledKernels[precision], {
    params: gemmParams(desc, opts),
    buffers: [wholeVec4s(a), wholeVec4s(b), biasOrDummy(gpu, opts.bias), y],
    workgroups: gemmGrid(gpu, desc, t.y * t.tm, t.x * t.tn),
    overrides: { WG_X: t.x, WG_Y: t.y, TM: t.tm, TN: t.tn, BK: t.k, A_LOAD: loads.a, B_LOAD: loads.b },
  });
}

/** The tile autotune measured fastest for this product's shape class, timed on a capped copy of the product (tuneDesc). */
async function tunedTile(gpu: Gpu, a: GpuTensor, b: GpuTensor, desc: GemmDesc, loads: TiledLoads, precision: GemmPrecision, opts: MatmulOptions): Promise<MatmulTile> {
  const scratchDesc = tuneDesc(desc);
  let scratch: GpuTensor | null = null;
  const run = async (c: { tile: MatmulTile }): Promise<void> => {
    scratch ??= gpu.empty([scratchDesc.batch, scratchDesc.M, scratchDesc.N], 'f32', 'gemm.tune');
    await runTiled(gpu, a, b, scratch, scratchDesc, loads, c.tile, precision, { alpha: opts.alpha, bias: opts.bias, biasOffset: opts.biasOffset });
  };
  try {
    return (await autotune(gpu, tuneProblem(desc, loads, precision), tiledCandidates(desc.M, desc.N), run)).tile;
  } finally {
    gpu.release(scratch);
  }
}

/**
 * Records y = alpha·A·B + beta·y + bias over explicit strides (the kernel every matmul form goes through).
 * `a`, `b`, `y` are whole tensors; `desc` says where the operands sit in them (checked against their sizes).
 * With neither `variant` nor `tile` on a real GPU, the first product of each shape class tunes the tile (autotune).
 */
export async function gemm(gpu: Gpu, a: GpuTensor, b: GpuTensor, y: GpuTensor, desc: GemmDesc, opts: MatmulOptions = {}): Promise<void> {
  checkGemm(a, b, y, desc, opts);
  const variant = opts.variant ?? defaultMatmulVariant(gpu);
  const precision = opts.precision ?? 'f32';
  if (variant === 'tiled') {
    const staged = precision === 'f16' && !gpu.hasF16 ? 'f32' : precision;
    const loads = tiledLoads(desc);
    const tile = opts.tile ?? (opts.variant ? DEFAULT_MATMUL_TILE : await tunedTile(gpu, a, b, desc, loads, staged, opts));
    return runTiled(gpu, a, b, y, desc, loads, tile, staged, opts);
  }
  if (precision === 'f16-emulated') throw new Error(`gemm: precision 'f16-emulated' emulates the tiled kernel; variant is ${variant}`);
  const tile = opts.tile ?? DEFAULT_MATMUL_TILE;
  if ((tile.tm ?? 4) !== 4 || (tile.tn ?? 4) !== 4) throw new Error(`gemm: ${variant} computes 4×4 outputs per thread; tile.tm and tile.tn are tiled's`);
  const per = variant === 'naive' ? 1 : 4;
  const kernel = variant === 'blocked' && vec4Layout(desc) ? matmulKernels.blockedVec4 : matmulKernels[variant];
  await gpu.run(kernel, {
    params: gemmParams(desc, opts),
    buffers: [a, b, biasOrDummy(gpu, opts.bias), y],
    workgroups: gemmGrid(gpu, desc, tile.y * per, tile.x * per),
    overrides: { WG_X: tile.x, WG_Y: tile.y },
  });
}

/** [B?, M, K] → { batch, M, K } */
function splitBatch(name: string, t: GpuTensor): { batch: number; rows: number; cols: number } {
  if (t.shape.length === 2) return { batch: 1, rows: t.shape[0], cols: t.shape[1] };
  if (t.shape.length === 3) return { batch: t.shape[0], rows: t.shape[1], cols: t.shape[2] };
  throw new Error(`${name}: expected a 2-D or 3-D tensor, got ${shapeString(t.shape)}`);
}

function outputFor(gpu: Gpu, name: string, xRank: number, batch: number, M: number, N: number, opts: MatmulOptions): GpuTensor {
  const shape = xRank === 3 ? [batch, M, N] : [M, N];
  if (opts.out) {
    expectShape(`${name}: out`, opts.out, shape);
    return opts.out;
  }
  if ((opts.beta ?? 0) !== 0) throw new Error(`${name}: beta ≠ 0 accumulates into out, which was not given`);
  return gpu.empty(shape, 'f32', `${name}.out`);
}

async function product(gpu: Gpu, name: string, x: GpuTensor, w: GpuTensor, transB: boolean, opts: MatmulOptions): Promise<GpuTensor> {
  const xs = splitBatch(`${name}: x`, x);
  const ws = splitBatch(`${name}: w`, w);
  const [K, N] = transB ? [ws.cols, ws.rows] : [ws.rows, ws.cols];
  if (xs.cols !== K) throw new Error(`${name}: x ${shapeString(x.shape)} and w ${shapeString(w.shape)} disagree on K`);
  if (w.shape.length === 3 && (x.shape.length !== 3 || ws.batch !== xs.batch)) {
    throw new Error(`${name}: batched w ${shapeString(w.shape)} needs x with the same batch, got ${shapeString(x.shape)}`);
  }
  const M = xs.rows;
  const y = outputFor(gpu, name, x.shape.length, xs.batch, M, N, opts);
  // A weight shared by the whole batch folds the batch into M (one dispatch, better tiles).
  const fold = w.shape.length === 2;
  const rows = fold ? xs.batch * M : M;
  const batch = fold ? 1 : xs.batch;
  const desc: GemmDesc = {
    M: rows,
    N,
    K,
    batch,
    a: { off: 0, sb: M * K, sr: K, sc: 1 },
    b: transB ? { off: 0, sb: N * K, sr: 1, sc: K } : { off: 0, sb: K * N, sr: N, sc: 1 },
    c: { off: 0, sb: M * N, sr: N, sc: 1 },
  };
  await gemm(gpu, x, w, y, desc, opts);
  return y;
}

/**
 * y = x·W (+ bias, + beta·out).
 * @param x [M, K] or [B, M, K] f32
 * @param w [K, N] (shared by the batch) or [B, K, N] f32
 * @returns [M, N] or [B, M, N] f32
 */
export async function matmul(gpu: Gpu, x: GpuTensor, w: GpuTensor, opts: MatmulOptions = {}): Promise<GpuTensor> {
  return product(gpu, 'matmul', x, w, false, opts);
}

/**
 * y = x·Wᵀ (+ bias, + beta·out) with W stored [out, in] as in PyTorch linear layers.
 * @param x [M, K] or [B, M, K] f32
 * @param w [N, K] (shared by the batch) or [B, N, K] f32
 * @returns [M, N] or [B, M, N] f32
 */
export async function matmulTransB(gpu: Gpu, x: GpuTensor, w: GpuTensor, opts: MatmulOptions = {}): Promise<GpuTensor> {
  return product(gpu, 'matmulTransB', x, w, true, opts);
}

/**
 * y = aᵀ·b (Gram matrices, weight gradients: Σ over rows of both).
 * @param a [K, M] f32
 * @param b [K, N] f32
 * @returns [M, N] f32
 */
export async function matmulTransA(gpu: Gpu, a: GpuTensor, b: GpuTensor, opts: MatmulOptions = {}): Promise<GpuTensor> {
  expectShape('matmulTransA: a', a, [-1, -1]);
  expectShape('matmulTransA: b', b, [a.shape[0], -1]);
  const [K, M] = a.shape;
  const N = b.shape[1];
  const y = outputFor(gpu, 'matmulTransA', 2, 1, M, N, opts);
  const desc: GemmDesc = {
    M, N, K, batch: 1,
    a: { off: 0, sb: 0, sr: 1, sc: M },
    b: { off: 0, sb: 0, sr: N, sc: 1 },
    c: { off: 0, sb: 0, sr: N, sc: 1 },
  };
  await gemm(gpu, a, b, y, desc, opts);
  return y;
}

/** Number of elements a GemmDesc touches in each operand (for callers that check their buffers). */
export function gemmExtent(layout: OperandLayout, batch: number, rows: number, cols: number): number {
  return layout.off + (batch - 1) * layout.sb + (rows - 1) * layout.sr + (cols - 1) * layout.sc + 1;
}
