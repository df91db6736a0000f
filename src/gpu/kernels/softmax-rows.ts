import type { Gpu } from '../gpu.js';
import { packParams } from '../params.js';
import { expectShape, numel, shapeString, type GpuTensor } from '../tensor.js';
import source from './softmax-rows.wgsl?raw';

export const softmaxRowsKernel = { name: 'softmax-rows', source };
const WG = 256;

/**
 * y[r, :] = softmax(scale·x[r, :]) over the last dim, in the stable form (max subtracted); −inf entries give 0.
 * @param x [..., cols] f32
 * @returns same shape f32
 */
export async function softmaxRows(gpu: Gpu, x: GpuTensor, scale = 1, out?: GpuTensor): Promise<GpuTensor> {
  if (x.shape.length < 1 || x.shape[x.shape.length - 1] < 1) throw new Error(`softmaxRows: expected [..., cols ≥ 1], got ${shapeString(x.shape)}`);
  const cols = x.shape[x.shape.length - 1];
  const rows = numel(x.shape) / cols;
  if (out) {
    expectShape('softmaxRows: out', out, x.shape);
    if (out.buffer === x.buffer) throw new Error('softmaxRows: out must not share a buffer with x');
  }
  const y = out ?? gpu.empty(x.shape, 'f32', 'softmaxRows.out');
  await gpu.run(softmaxRowsKernel, {
    params: packParams([{ u32: rows }, { u32: cols }, { f32: scale }]),
    buffers: [x, y],
    workgroups: rows,
    overrides: { WG },
  });
  return y;
}
