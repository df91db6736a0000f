import { GpuError, throwIfAborted } from '../errors/index.js';
import { progressReporter, type ProgressCallback } from '../progress/index.js';
import type { Gpu } from './gpu.js';
import { gemm, type MatmulOptions } from './kernels/matmul.js';
import { expectShape, shapeString, type GpuTensor } from './tensor.js';

/** Rows of a [rows, cols] f32 matrix: the whole array, or a reader of a row range (e.g. SafetensorsFile.readRows). */
export type RowSource = Float32Array | ((rowStart: number, rowCount: number) => Promise<Float32Array>);

/** One GPU tensor holding rows [rowStart, rowStart + rowCount) of a larger matrix. */
export interface RowChunk {
  rowStart: number;
  rowCount: number;
  /** [rowCount, cols] f32 */
  tensor: GpuTensor;
}

/** A [rows, cols] matrix stored as row chunks, each within the storage-binding limit. */
export interface RowChunks {
  rows: number;
  cols: number;
  chunks: RowChunk[];
}

export interface SplitRowsOptions {
  /** Largest chunk in bytes; default: the device's maxStorageBufferBindingSize (and maxBufferSize). */
  maxBindingBytes?: number;
  label?: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** The binding limit a single tensor must respect on this device. */
export function maxBindingBytes(gpu: Gpu): number {
  return Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
}

/**
 * Chunk boundaries for a [rows, cols] f32 matrix: as few chunks as the limit allows, of equal size
 * (the last may be shorter), so no chunk is a tiny remainder.
 */
export function planRowChunks(rows: number, cols: number, limitBytes: number): { rowStart: number; rowCount: number }[] {
  const rowBytes = cols * 4;
  const maxRows = Math.floor(limitBytes / rowBytes);
  if (maxRows < 1) throw new GpuError('gpu-out-of-memory', `one row of ${cols} f32 values (${rowBytes} bytes) exceeds the binding limit of ${limitBytes} bytes`);
  const count = Math.ceil(rows / maxRows);
  const per = Math.ceil(rows / Math.max(1, count));
  const plan: { rowStart: number; rowCount: number }[] = [];
  for (let r = 0; r < rows; r += per) plan.push({ rowStart: r, rowCount: Math.min(per, rows - r) });
  return plan;
}

/**
 * Uploads a [rows, cols] f32 matrix as row chunks that each fit one storage binding (a Gemma-2 embedding,
 * 256000×3584 f32 = 3.5 GiB, exceeds every adapter's limit). Reads one chunk at a time from `source`, so the
 * host never holds more than a chunk. On failure or abort, every chunk already uploaded is released.
 */
export async function splitRows(gpu: Gpu, source: RowSource, rows: number, cols: number, opts: SplitRowsOptions = {}): Promise<RowChunks> {
  if (typeof source !== 'function' && source.length !== rows * cols) {
    throw new Error(`splitRows: ${source.length} values do not fill [${rows}, ${cols}]`);
  }
  const plan = planRowChunks(rows, cols, opts.maxBindingBytes ?? maxBindingBytes(gpu));
  const label = opts.label ?? 'rows';
  const progress = progressReporter('load', rows, opts.onProgress);
  const chunks: RowChunk[] = [];
  try {
    for (const { rowStart, rowCount } of plan) {
      throwIfAborted(opts.signal, `upload of ${label}`);
      const data = typeof source === 'function' ? await source(rowStart, rowCount) : source.subarray(rowStart * cols, (rowStart + rowCount) * cols);
      if (data.length !== rowCount * cols) throw new Error(`splitRows: reader gave ${data.length} values for rows ${rowStart}+${rowCount} of ${cols}`);
      const tensor = gpu.empty([rowCount, cols], 'f32', `${label}[${rowStart}:${rowStart + rowCount}]`, true);
      chunks.push({ rowStart, rowCount, tensor });
      gpu.write(tensor, data);
      progress.update(rowStart + rowCount);
    }
  } catch (e) {
    gpu.release(...chunks.map((c) => c.tensor));
    throw e;
  }
  progress.finish(rows);
  return { rows, cols, chunks };
}

export function releaseChunks(gpu: Gpu, w: RowChunks): void {
  gpu.release(...w.chunks.map((c) => c.tensor));
}

/**
 * y = x·Wᵀ (+ bias, + beta·out) with W [N, K] held as row chunks: chunk c writes output columns
 * [rowStart, rowStart + rowCount) of y (the LM head over a split embedding).
 * @param x [M, K] f32
 * @param w RowChunks of W [N, K]
 * @returns [M, N] f32 (must fit one binding)
 */
export async function matmulTransBChunked(gpu: Gpu, x: GpuTensor, w: RowChunks, opts: MatmulOptions = {}): Promise<GpuTensor> {
  expectShape('matmulTransBChunked: x', x, [-1, w.cols]);
  const [M, K] = x.shape;
  const N = w.rows;
  if (opts.bias) expectShape('matmulTransBChunked: bias', opts.bias, [N]);
  if (w.chunks.reduce((s, c) => s + c.rowCount, 0) !== N) throw new Error(`matmulTransBChunked: chunks do not cover W ${shapeString([N, K])}`);
  if (M * N * 4 > maxBindingBytes(gpu)) {
    throw new GpuError('gpu-out-of-memory', `matmulTransBChunked: output [${M}, ${N}] exceeds one storage binding; pass fewer rows of x at a time`);
  }
  let y: GpuTensor;
  if (opts.out) {
    expectShape('matmulTransBChunked: out', opts.out, [M, N]);
    y = opts.out;
  } else {
    if ((opts.beta ?? 0) !== 0) throw new Error('matmulTransBChunked: beta ≠ 0 accumulates into out, which was not given');
    y = gpu.empty([M, N], 'f32', 'matmulTransBChunked.out');
  }
  for (const c of w.chunks) {
    expectShape(`matmulTransBChunked: chunk at row ${c.rowStart}`, c.tensor, [c.rowCount, K]);
    await gemm(gpu, x, c.tensor, y, {
      M, N: c.rowCount, K, batch: 1,
      a: { off: 0, sb: 0, sr: K, sc: 1 },
      b: { off: 0, sb: 0, sr: 1, sc: K },
      c: { off: c.rowStart, sb: 0, sr: N, sc: 1 },
    }, { ...opts, biasOffset: c.rowStart });
  }
  return y;
}
