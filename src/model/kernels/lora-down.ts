import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './lora-down.wgsl?raw';

export const loraDownKernel = { name: 'model-lora-down', source };
const WG = 64;
/** Tokens per thread (TOK in the WGSL). */
const TOK = 4;

/**
 * u[t, j] = x[stream[j]·T + t] · A[j] for every stacked lora_A row j: all adapters' down-projections of
 * one projection in one dispatch, each adapter reading its own stream's rows.
 * @param x [streams·T, K] f32  @param a [R, K] f32  @param stream [R] u32  @param u [T, R] f32
 */
export async function loraDown(gpu: Gpu, x: GpuTensor, a: GpuTensor, stream: GpuTensor, u: GpuTensor): Promise<void> {
  const [R, K] = a.shape;
  const T = u.shape[0];
  expectShape('loraDown: stream', stream, [R]);
  expectShape('loraDown: u', u, [T, R]);
  if (x.shape[1] !== K || numel(x.shape) % (T * K) !== 0) throw new Error(`loraDown: x [${x.shape.join(', ')}] is not [streams·${T}, ${K}]`);
  await gpu.run(loraDownKernel, {
    params: packParams([{ u32: T }, { u32: K }, { u32: R }]),
    buffers: [x, a, stream, u],
    workgroups: Math.ceil((R * Math.ceil(T / TOK)) / WG),
    overrides: { WG },
  });
}
