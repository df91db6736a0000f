import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './masked-moments.wgsl?raw';

export const maskedMomentsKernel = { name: 'masked-moments', source };
const WG = 64;

/**
 * Per-column mean and sum of squared deviations over the rows whose mask is non-zero.
 * @param x [groups, rows, cols] f32 (e.g. [adapters, batch·seq, hidden] deltas)
 * @param mask [rows] u32, non-zero = include the row
 * @returns mean, m2: [groups, cols] f32
 */
export async function maskedMoments(gpu: Gpu, x: GpuTensor, mask: GpuTensor): Promise<{ mean: GpuTensor; m2: GpuTensor }> {
  if (x.shape.length !== 3) throw new Error(`masked-moments: x must be [groups, rows, cols], got [${x.shape.join(', ')}]`);
  const [groups, rows, cols] = x.shape;
  expectShape('masked-moments: mask', mask, [rows]);
  if (x.dtype !== 'f32' || mask.dtype !== 'u32') throw new Error(`masked-moments: needs f32 x and u32 mask, got ${x.dtype} and ${mask.dtype}`);
  const mean = gpu.empty([groups, cols], 'f32', 'masked-moments.mean');
  const m2 = gpu.empty([groups, cols], 'f32', 'masked-moments.m2');
  await gpu.run(maskedMomentsKernel, {
    params: packParams([{ u32: groups }, { u32: rows }, { u32: cols }]),
    buffers: [x, mask, mean, m2],
    workgroups: Math.ceil(numel([groups, cols]) / WG),
    overrides: { WG },
  });
  return { mean, m2 };
}
