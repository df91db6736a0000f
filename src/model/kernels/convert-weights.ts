import { packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './convert-weights.wgsl?raw';
import type { WeightFormat } from './proj-matmul.js';

export const convertWeightsKernel = { name: 'convert-weights', source };
const WG = 64;

/** Float dtypes a checkpoint stores weights in, as the GPU reads them. */
export type StoredDtype = 'F32' | 'BF16' | 'F16';

const SRC_CODE: Record<StoredDtype, number> = { F32: 0, BF16: 1, F16: 2 };
const DST_CODE: Record<WeightFormat, number> = { f32: 0, f16: 1, q8: 2, q4: 3 };

export const STORED_BYTES: Record<StoredDtype, number> = { F32: 4, BF16: 2, F16: 2 };

export interface ConvertRowsOptions {
  /** rows and columns of this chunk, the tensor's first row it holds */
  rows: number;
  cols: number;
  row0: number;
  srcDtype: StoredDtype;
  format: WeightFormat;
  /** flags[flag] becomes non-zero if the chunk holds a NaN or an infinity */
  flag: number;
}

/** Output units per row: elements (f32), words (f16) or runs of 32 (q8/q4), one thread each. */
function unitsPerRow(format: WeightFormat, cols: number): number {
  return format === 'f32' ? cols : format === 'f16' ? Math.ceil(cols / 2) : Math.ceil(cols / 32);
}

/**
 * Converts a chunk of whole rows, uploaded as stored, into rows row0.. of a projection's packed data and scales
 * (the packing of quantize.ts, bit for bit). `scales` is ignored (any small tensor) for f32 and f16.
 * @param src u32 words of the chunk's raw bytes  @param dst u32 [rows, wordsPerRow] (f32: [rows, cols])
 * @param scales f32 [rows, ceil(cols/32)]  @param flags u32 [≥ flag + 1]
 */
export async function convertWeightRows(gpu: Gpu, src: GpuTensor, dst: GpuTensor, scales: GpuTensor, flags: GpuTensor, o: ConvertRowsOptions): Promise<void> {
  const params = packParams([{ u32: o.rows }, { u32: o.cols }, { u32: SRC_CODE[o.srcDtype] }, { u32: DST_CODE[o.format] }, { u32: o.row0 }, { u32: o.flag }]);
  const threads = o.rows * unitsPerRow(o.format, o.cols);
  await gpu.run(convertWeightsKernel, { params, buffers: [src, dst, scales, flags], workgroups: Math.ceil(threads / WG), overrides: { WG } });
}
