import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './rms-norm.wgsl?raw';

export const rmsNormKernel = { name: 'model-rms-norm', source };
export const rmsNormResidualKernel = { name: 'model-rms-norm', source, entryPoint: 'residual' };

/**
 * Threads per row: 64 share the reduction on GPUs; software adapters (SwiftShader) run barriers of 64 threads
 * about 60× slower than 4, so they get 4.
 */
export function rowThreads(gpu: Gpu): number {
  return gpu.info.isFallbackAdapter ? 4 : 64;
}

function check(src: GpuTensor, w: GpuTensor, dst: GpuTensor): { rows: number; cols: number } {
  const cols = w.shape[0];
  expectShape('rmsNorm: w', w, [cols]);
  expectShape('rmsNorm: src', src, [-1, cols]);
  expectShape('rmsNorm: dst', dst, src.shape);
  return { rows: src.shape[0], cols };
}

/**
 * dst = src / sqrt(mean(src²) + eps) · (1 + w), per row.
 * @param src [rows, cols] f32  @param w [cols] f32  @param dst [rows, cols] f32
 */
export async function rmsNorm(gpu: Gpu, src: GpuTensor, w: GpuTensor, eps: number, dst: GpuTensor, wg = rowThreads(gpu)): Promise<void> {
  const { rows, cols } = check(src, w, dst);
  await gpu.run(rmsNormKernel, { params: packParams([{ u32: rows }, { u32: cols }, { f32: eps }]), buffers: [src, w, dst], workgroups: rows, overrides: { WG: wg } });
}

/** dst += rms(src, w): the decoder layer's residual update after a block. Shapes as rmsNorm; wg = threads per row (power of two). */
export async function addRmsNorm(gpu: Gpu, src: GpuTensor, w: GpuTensor, eps: number, dst: GpuTensor, wg = rowThreads(gpu)): Promise<void> {
  const { rows, cols } = check(src, w, dst);
  await gpu.run(rmsNormResidualKernel, { params: packParams([{ u32: rows }, { u32: cols }, { f32: eps }]), buffers: [src, w, dst], workgroups: rows, overrides: { WG: wg } });
}
