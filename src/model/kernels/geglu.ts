import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './geglu.wgsl?raw';

export const gegluKernel = { name: 'model-geglu', source };
const WG = 256;

/** gate ← gelu_tanh(gate) · up, in place.  @param gate [..] f32  @param up same shape */
export async function geglu(gpu: Gpu, gate: GpuTensor, up: GpuTensor): Promise<void> {
  expectShape('geglu: up', up, gate.shape);
  const n = numel(gate.shape);
  await gpu.run(gegluKernel, { params: packParams([{ u32: n }]), buffers: [up, gate], workgroups: Math.ceil(n / WG), overrides: { WG } });
}
