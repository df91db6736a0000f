import type { Gpu } from '../gpu.js';
import type { Kernel } from '../pipelines.js';
import { packParams } from '../params.js';
import { expectShape, numel, type GpuTensor } from '../tensor.js';
import source from './elementwise.wgsl?raw';

export const elementwiseKernels = {
  mul: { name: 'elementwise', source, entryPoint: 'mul' },
  sub: { name: 'elementwise', source, entryPoint: 'sub' },
  scale: { name: 'elementwise', source, entryPoint: 'scale' },
  fill: { name: 'elementwise', source, entryPoint: 'fill' },
} satisfies Record<string, Kernel>;

const WG = 256;

function output(gpu: Gpu, name: string, shape: readonly number[], inputs: readonly GpuTensor[], out: GpuTensor | undefined): GpuTensor {
  if (!out) return gpu.empty(shape, 'f32', `${name}.out`);
  expectShape(`${name}: out`, out, shape);
  // WebGPU forbids binding one buffer as both read-only and writable storage in a dispatch.
  if (inputs.some((t) => t.buffer === out.buffer)) throw new Error(`${name}: out must not share a buffer with an input`);
  return out;
}

async function dispatch(gpu: Gpu, kernel: Kernel, n: number, alpha: number, beta: number, buffers: GpuTensor[]): Promise<void> {
  await gpu.run(kernel, {
    params: packParams([{ u32: n }, { f32: alpha }, { f32: beta }]),
    buffers,
    workgroups: Math.ceil(n / WG),
    overrides: { WG },
  });
}

/** out = alpha·a·b element-wise. @param a [...] f32 @param b same shape as a */
export async function mul(gpu: Gpu, a: GpuTensor, b: GpuTensor, alpha = 1, out?: GpuTensor): Promise<GpuTensor> {
  expectShape('mul: b', b, a.shape);
  const y = output(gpu, 'mul', a.shape, [a, b], out);
  await dispatch(gpu, elementwiseKernels.mul, numel(a.shape), alpha, 0, [a, b, y]);
  return y;
}

/** out = a − alpha·b element-wise. @param a [...] f32 @param b same shape as a */
export async function sub(gpu: Gpu, a: GpuTensor, b: GpuTensor, alpha = 1, out?: GpuTensor): Promise<GpuTensor> {
  expectShape('sub: b', b, a.shape);
  const y = output(gpu, 'sub', a.shape, [a, b], out);
  await dispatch(gpu, elementwiseKernels.sub, numel(a.shape), alpha, 0, [a, b, y]);
  return y;
}

/** out = alpha·x + beta element-wise. @param x [...] f32 */
export async function scale(gpu: Gpu, x: GpuTensor, alpha: number, beta = 0, out?: GpuTensor): Promise<GpuTensor> {
  const y = output(gpu, 'scale', x.shape, [x], out);
  await dispatch(gpu, elementwiseKernels.scale, numel(x.shape), alpha, beta, [x, y]);
  return y;
}

/** Sets every element of `t` to `value` (recorded in the current pass, unlike a queue write). */
export async function fill(gpu: Gpu, t: GpuTensor, value: number): Promise<GpuTensor> {
  if (t.dtype !== 'f32') throw new Error(`fill: tensor is ${t.dtype}, expected f32`);
  await dispatch(gpu, elementwiseKernels.fill, numel(t.shape), value, 0, [t]);
  return t;
}
