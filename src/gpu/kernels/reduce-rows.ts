import type { Gpu } from '../gpu.js';
import type { Kernel } from '../pipelines.js';
import { packParams } from '../params.js';
import { expectShape, numel, shapeString, type GpuTensor } from '../tensor.js';
import source from './reduce-rows.wgsl?raw';

export type RowReduction = 'rowSum' | 'rowSumSquares' | 'rowMax';

export const reduceRowsKernels: Record<RowReduction, Kernel> = {
  rowSum: { name: 'reduce-rows', source, entryPoint: 'rowSum' },
  rowSumSquares: { name: 'reduce-rows', source, entryPoint: 'rowSumSquares' },
  rowMax: { name: 'reduce-rows', source, entryPoint: 'rowMax' },
};

/** Threads per row (a power of two, within every adapter's 256-invocation minimum). */
const WG = 256;
/** Elements per workgroup in the first pass of sumAll. */
const SUM_CHUNK = 4096;

function rowsCols(name: string, x: GpuTensor): [number, number] {
  if (x.shape.length < 1) throw new Error(`${name}: expected at least 1-D, got ${shapeString(x.shape)}`);
  const cols = x.shape[x.shape.length - 1];
  return [numel(x.shape) / Math.max(1, cols), cols];
}

async function reduce(gpu: Gpu, op: RowReduction, x: GpuTensor, rows: number, cols: number, total: number, out: GpuTensor): Promise<void> {
  await gpu.run(reduceRowsKernels[op], {
    params: packParams([{ u32: rows }, { u32: cols }, { u32: total }]),
    buffers: [x, out],
    workgroups: rows,
    overrides: { WG },
  });
}

async function rowReduce(gpu: Gpu, op: RowReduction, x: GpuTensor, out?: GpuTensor): Promise<GpuTensor> {
  const [rows, cols] = rowsCols(op, x);
  if (cols < 1) throw new Error(`${op}: rows of ${shapeString(x.shape)} are empty`);
  const shape = x.shape.slice(0, -1);
  const y = out ?? gpu.empty(shape.length ? shape : [1], 'f32', `${op}.out`);
  if (out) expectShape(`${op}: out`, out, shape.length ? shape : [1]);
  if (out && out.buffer === x.buffer) throw new Error(`${op}: out must not share a buffer with x`);
  await reduce(gpu, op, x, rows, cols, rows * cols, y);
  return y;
}

/** out[r] = Σ_c x[r, c]. @param x [..., cols] f32 @returns [...] f32 */
export function rowSum(gpu: Gpu, x: GpuTensor, out?: GpuTensor): Promise<GpuTensor> {
  return rowReduce(gpu, 'rowSum', x, out);
}

/** out[r] = Σ_c x[r, c]². @param x [..., cols] f32 @returns [...] f32 */
export function rowSumSquares(gpu: Gpu, x: GpuTensor, out?: GpuTensor): Promise<GpuTensor> {
  return rowReduce(gpu, 'rowSumSquares', x, out);
}

/** out[r] = max_c x[r, c]. @param x [..., cols] f32 @returns [...] f32 */
export function rowMax(gpu: Gpu, x: GpuTensor, out?: GpuTensor): Promise<GpuTensor> {
  return rowReduce(gpu, 'rowMax', x, out);
}

/** Σ of every element (or of squares), in two passes: chunk sums, then their sum. @returns [1] f32 */
export async function sumAll(gpu: Gpu, x: GpuTensor, op: 'rowSum' | 'rowSumSquares' = 'rowSum'): Promise<GpuTensor> {
  const n = numel(x.shape);
  const out = gpu.empty([1], 'f32', 'sumAll.out');
  if (n <= SUM_CHUNK) {
    await reduce(gpu, op, x, 1, Math.max(1, n), n, out);
    return out;
  }
  const chunks = Math.ceil(n / SUM_CHUNK);
  const partial = gpu.empty([chunks], 'f32', 'sumAll.partial');
  try {
    await reduce(gpu, op, x, chunks, SUM_CHUNK, n, partial);
    await reduce(gpu, 'rowSum', partial, 1, chunks, chunks, out);
  } finally {
    gpu.release(partial);
  }
  return out;
}
