import { numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { rowThreads } from './rms-norm.js';
import source from './lora-add.wgsl?raw';

export const loraAddKernel = { name: 'model-lora-add', source };

/**
 * y[yOffset + row] += d[row] and norms[normOffset + row] = ‖d[row]‖₂ for each of d's rows; wg = threads per row.
 * @param d [rows, cols] f32  @param y f32 with ≥ yOffset + rows·cols elements  @param norms f32 with ≥ normOffset + rows
 */
export async function loraAdd(gpu: Gpu, d: GpuTensor, y: GpuTensor, yOffset: number, norms: GpuTensor, normOffset: number, wg = rowThreads(gpu)): Promise<void> {
  const [rows, cols] = d.shape;
  if (d.shape.length !== 2) throw new Error(`loraAdd: d must be [rows, cols], got [${d.shape.join(', ')}]`);
  if (yOffset + rows * cols > numel(y.shape)) throw new Error(`loraAdd: y has ${numel(y.shape)} elements, needs ${yOffset + rows * cols}`);
  if (normOffset + rows > numel(norms.shape)) throw new Error(`loraAdd: norms has ${numel(norms.shape)} elements, needs ${normOffset + rows}`);
  await gpu.run(loraAddKernel, {
    params: packParams([{ u32: rows }, { u32: cols }, { u32: yOffset }, { u32: normOffset }]),
    buffers: [d, y, norms],
    workgroups: rows,
    overrides: { WG: wg },
  });
}
