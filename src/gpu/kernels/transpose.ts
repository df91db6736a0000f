import type { Gpu } from '../gpu.js';
import { packParams } from '../params.js';
import { shapeString, type GpuTensor } from '../tensor.js';
import source from './transpose.wgsl?raw';

export const transposeKernel = { name: 'transpose', source };
const T = 16;

/**
 * y = xᵀ over the last two dims.
 * @param x [rows, cols] or [batch, rows, cols] f32
 * @returns [cols, rows] or [batch, cols, rows] f32
 */
export async function transpose(gpu: Gpu, x: GpuTensor, out?: GpuTensor): Promise<GpuTensor> {
  if (x.shape.length !== 2 && x.shape.length !== 3) throw new Error(`transpose: expected [rows, cols] or [batch, rows, cols], got ${shapeString(x.shape)}`);
  const [batch, rows, cols] = x.shape.length === 3 ? x.shape : [1, ...x.shape];
  const shape = x.shape.length === 3 ? [batch, cols, rows] : [cols, rows];
  if (out && shapeString(out.shape) !== shapeString(shape)) throw new Error(`transpose: out: expected shape ${shapeString(shape)}, got ${shapeString(out.shape)}`);
  if (out && out.buffer === x.buffer) throw new Error('transpose: out must not share a buffer with x');
  const y = out ?? gpu.empty(shape, 'f32', 'transpose.out');
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const workgroups: [number, number, number] = [Math.ceil(cols / T), Math.ceil(rows / T), batch];
  if (workgroups.some((g) => g > maxDim)) throw new Error(`transpose: ${shapeString(x.shape)} needs more than ${maxDim} workgroups per dimension`);
  await gpu.run(transposeKernel, {
    params: packParams([{ u32: rows }, { u32: cols }, { u32: batch }]),
    buffers: [x, y],
    workgroups,
    overrides: { T },
  });
  return y;
}
