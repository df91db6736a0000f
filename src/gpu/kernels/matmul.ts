import type { Gpu } from '../gpu.js';
import type { Kernel } from '../pipelines.js';
import { packParams } from '../params.js';
import { expectShape, numel, shapeString, type GpuTensor } from '../tensor.js';
import { variantFamily } from '../variants.js';
import source from './matmul.wgsl?raw';

/** blocked: 4×4 per thread, no shared memory (SwiftShader); tiled: shared-memory tiles (real GPUs); naive: one thread per output. */
export type MatmulVariant = 'blocked' | 'tiled' | 'naive';

export const matmulKernels: Record<MatmulVariant | 'blockedVec4', Kernel> = {
  blocked: { name: 'matmul', source, entryPoint: 'blocked' },
  /** blocked with vec4 loads; gemm picks it for `blocked` when the layout allows (see vec4Layout). */
  blockedVec4: { name: 'matmul', source, entryPoint: 'blockedVec4' },
  tiled: { name: 'matmul', source, entryPoint: 'tiled' },
  naive: { name: 'matmul', source, entryPoint: 'naive' },
};

/** Workgroup shape (threads along n and m) and the k-depth of a shared tile; each thread owns 4×4 outputs except in naive. */
export interface MatmulTile {
  x: number;
  y: number;
  k: number;
}

export const DEFAULT_MATMUL_TILE: MatmulTile = { x: 8, y: 8, k: 16 };
const PER_THREAD = 4;

export interface MatmulOptions {
  /** y = alpha·(x·W) + beta·out + bias; beta ≠ 0 needs `out` (accumulate into it). */
  alpha?: number;
  beta?: number;
  /** [N] f32, added to every row. */
  bias?: GpuTensor;
  /** First element of the bias to use (gemm only: a column block of a longer bias); default 0. */
  biasOffset?: number;
  out?: GpuTensor;
  /** Default: blocked on CPU fallback adapters (SwiftShader), tiled elsewhere. */
  variant?: MatmulVariant;
  tile?: MatmulTile;
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

/**
 * Records y = alpha·A·B + beta·y + bias over explicit strides (the kernel every matmul form goes through).
 * `a`, `b`, `y` are whole tensors; `desc` says where the operands sit in them (checked against their sizes).
 */
export async function gemm(gpu: Gpu, a: GpuTensor, b: GpuTensor, y: GpuTensor, desc: GemmDesc, opts: MatmulOptions = {}): Promise<void> {
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
  const variant = opts.variant ?? defaultMatmulVariant(gpu);
  const tile = opts.tile ?? DEFAULT_MATMUL_TILE;
  const per = variant === 'naive' ? 1 : PER_THREAD;
  const workgroups: [number, number, number] = [Math.ceil(N / (tile.x * per)), Math.ceil(M / (tile.y * per)), batch];
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups.some((g) => g > maxDim)) throw new Error(`gemm: grid ${shapeString(workgroups)} exceeds ${maxDim} workgroups per dimension`);
  const beta = opts.beta ?? 0;
  const kernel = variant === 'blocked' && vec4Layout(desc) ? matmulKernels.blockedVec4 : matmulKernels[variant];
  await gpu.run(kernel, {
    params: packParams([
      { u32: M }, { u32: N }, { u32: K }, { u32: batch },
      { u32: desc.a.off }, { u32: desc.a.sb }, { u32: desc.a.sr }, { u32: desc.a.sc },
      { u32: desc.b.off }, { u32: desc.b.sb }, { u32: desc.b.sr }, { u32: desc.b.sc },
      { u32: desc.c.off }, { u32: desc.c.sb }, { u32: desc.c.sr }, { u32: opts.bias ? 1 : 0 },
      { f32: opts.alpha ?? 1 }, { f32: beta }, { u32: biasOffset },
    ]),
    buffers: [a, b, biasOrDummy(gpu, opts.bias), y],
    workgroups,
    overrides: variant === 'tiled' ? { WG_X: tile.x, WG_Y: tile.y, TILE_K: tile.k } : { WG_X: tile.x, WG_Y: tile.y },
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
