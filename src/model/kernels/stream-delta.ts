import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './stream-delta.wgsl?raw';

export const streamDeltaKernel = { name: 'model-stream-delta', source };
const WG = 256;

/**
 * delta[a] = x[a + 1] − x[0].
 * @param x [streams, ...] f32 (stream 0 = base)  @returns [streams − 1, ...] f32 (new tensor)
 */
export async function streamDelta(gpu: Gpu, x: GpuTensor, label = 'delta'): Promise<GpuTensor> {
  const [streams, ...rest] = x.shape;
  if (streams < 2) throw new Error(`streamDelta: need a base and at least one adapter stream, got ${streams}`);
  const n = numel(rest);
  const delta = gpu.empty([streams - 1, ...rest], 'f32', label);
  expectShape('streamDelta: delta', delta, [streams - 1, ...rest]);
  await gpu.run(streamDeltaKernel, {
    params: packParams([{ u32: n }, { u32: streams - 1 }]),
    buffers: [x, delta],
    workgroups: Math.ceil(((streams - 1) * n) / WG),
    overrides: { WG },
  });
  return delta;
}
