import type { Gpu } from '../gpu.js';
import { packParams } from '../params.js';
import { expectShape, numel, type GpuTensor } from '../tensor.js';
import source from './add.wgsl?raw';

export const addKernel = { name: 'add', source };
const WG = 256;

/**
 * out = a + alpha·b, element-wise.
 * @param a [...] f32
 * @param b same shape as a
 */
export async function add(gpu: Gpu, a: GpuTensor, b: GpuTensor, alpha = 1, out?: GpuTensor): Promise<GpuTensor> {
  expectShape('add: b', b, a.shape);
  const n = numel(a.shape);
  const y = out ?? gpu.empty(a.shape, 'f32', 'add.out');
  if (out) expectShape('add: out', out, a.shape);
  await gpu.run(addKernel, {
    params: packParams([{ u32: n }, { f32: alpha }]),
    buffers: [a, b, y],
    workgroups: Math.ceil(n / WG),
    overrides: { WG },
  });
  return y;
}
