import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './normalize-rows.wgsl?raw';

export const normalizeRowsKernel = { name: 'normalize-rows', source };
const WG = 64;

/** Rows after padding to whole vec4s of rows. */
export function paddedRows(rows: number): number {
  return Math.ceil(rows / 4) * 4;
}

/**
 * Unit rows, transposed and zero-padded to a multiple of 4 rows: yT[j, r] = x[r, j] / ‖x[r]‖ (zero rows stay zero).
 * @param x [rows, cols] f32
 * @param outT [cols, paddedRows(rows)] f32
 */
export async function normalizeRowsTransposed(gpu: Gpu, x: GpuTensor, outT: GpuTensor): Promise<GpuTensor> {
  expectShape('normalizeRowsTransposed: x', x, [-1, -1]);
  const [rows, cols] = x.shape;
  const padded = paddedRows(rows);
  expectShape('normalizeRowsTransposed: outT', outT, [cols, padded]);
  await gpu.run(normalizeRowsKernel, {
    params: packParams([{ u32: rows }, { u32: cols }, { u32: padded }]),
    buffers: [x, outT],
    workgroups: Math.ceil(padded / WG),
    overrides: { WG },
  });
  return outT;
}
