import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './row-sq-error.wgsl?raw';

export const rowSqErrorKernel = { name: 'row-sq-error', source };
const WG = 64;

/**
 * Per-row squared error sse[r] = Σ_j (x[r, j] − y[r, j])².
 * @param x [rows, cols] f32
 * @param y [rows, cols] f32
 * @param out [rows] f32
 */
export async function rowSqError(gpu: Gpu, x: GpuTensor, y: GpuTensor, out: GpuTensor): Promise<GpuTensor> {
  expectShape('rowSqError: x', x, [-1, -1]);
  const [rows, cols] = x.shape;
  expectShape('rowSqError: y', y, [rows, cols]);
  expectShape('rowSqError: out', out, [rows]);
  await gpu.run(rowSqErrorKernel, {
    params: packParams([{ u32: rows }, { u32: cols }]),
    buffers: [x, y, out],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG },
  });
  return out;
}
