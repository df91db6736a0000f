import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './sae-exp.wgsl?raw';

export const saeExpKernel = { name: 'sae-exp', source };
const WG = 64;

/** y = exp(clamp(x, −80, 80)) element-wise (JumpReLU thresholds from log_theta). */
export async function expInto(gpu: Gpu, x: GpuTensor, y: GpuTensor): Promise<void> {
  expectShape('exp: y', y, x.shape);
  const n = numel(x.shape);
  await gpu.run(saeExpKernel, { params: packParams([{ u32: n }]), buffers: [x, y], workgroups: Math.ceil(n / WG), overrides: { WG } });
}
