import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './proj-matmul.wgsl?raw';

export const projMatmulKernel = { name: 'proj-matmul', source };

/** How a projection's weights sit on the GPU (see quantize.ts for the packing). */
export type WeightFormat = 'f32' | 'f16' | 'q8' | 'q4';

const FORMAT_CODE: Record<WeightFormat, number> = { f32: 0, f16: 1, q8: 2, q4: 3 };
const WG = 8;
/** columns and rows of y per workgroup (4 × 8 per thread) */
const TILE_N = 4 * WG;
const TILE_M = 8 * WG;

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
  const wpr = wordsPerRow(w.format, k);
  const runs = Math.ceil(k / 32);
  if (w.format === 'f32') expectShape('projMatmul: W', w.data, [n, k]);
  else expectShape('projMatmul: W', w.data, [n, wpr]);
  const quantised = w.format === 'q8' || w.format === 'q4';
  if (quantised) {
    if (!w.scales) throw new Error(`projMatmul: ${w.format} weight without scales`);
    expectShape('projMatmul: scales', w.scales, [n, runs]);
  }
  await gpu.run(projMatmulKernel, {
    params: packParams([
      { u32: o.m }, { u32: n }, { u32: k },
      { u32: xOffset }, { u32: yOffset }, { u32: yStride },
      { u32: o.accumulate ? 1 : 0 }, { u32: wpr }, { u32: runs },
      { f32: o.alpha ?? 1 }, { f32: o.cap ?? 0 },
    ]),
    // f32/f16 weights read no scales; any small tensor fills the binding
    buffers: [x, w.data, w.scales ?? w.data, y],
    workgroups: [Math.ceil(n / TILE_N), Math.ceil(o.m / TILE_M), 1],
    overrides: { FORMAT: FORMAT_CODE[w.format], WGX: WG, WGY: WG },
  });
}
