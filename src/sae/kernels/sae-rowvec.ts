import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-rowvec.wgsl?raw';

export const saeRowvecKernel = { name: 'sae-rowvec', source };
const WG = 64;

/** y = x + alpha·v broadcast over rows.  @param x, y [rows, d]  @param v [d] */
export async function addRowVector(gpu: Gpu, x: GpuTensor, v: GpuTensor, y: GpuTensor, alpha: number): Promise<void> {
  const [rows, d] = x.shape;
  expectShape('addRowVector: v', v, [d]);
  expectShape('addRowVector: y', y, [rows, d]);
  await gpu.run(saeRowvecKernel, {
    params: packParams([{ u32: rows }, { u32: d }, { u32: 0 }, { f32: alpha }, { f32: 0 }]),
    buffers: [x, v, y],
    workgroups: Math.ceil((rows * d) / WG),
    overrides: { WG },
  });
}

/** y = beta·y + alpha·Σ_b x[b, :] (rows summed in order).  @param x [rows, d]  @param y [d] */
export async function columnSum(gpu: Gpu, x: GpuTensor, y: GpuTensor, opts: { alpha?: number; beta?: number } = {}): Promise<void> {
  const [rows, d] = x.shape;
  expectShape('columnSum: y', y, [d]);
  await gpu.run(saeRowvecKernel, {
    params: packParams([{ u32: rows }, { u32: d }, { u32: 1 }, { f32: opts.alpha ?? 1 }, { f32: opts.beta ?? 0 }]),
    buffers: [x, dummyTensor(gpu, 1), y],
    workgroups: Math.ceil(d / WG),
    overrides: { WG },
  });
}
