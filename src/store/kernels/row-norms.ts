import { packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './row-norms.wgsl?raw';

export const rowNormsKernel = { name: 'row-norms', source };
const WG = 64;

/**
 * Euclidean norm of every row.
 * @param x [..., cols] f32, read as [rows, cols]
 * @returns [rows] f32
 */
export async function rowNorms(gpu: Gpu, x: GpuTensor): Promise<GpuTensor> {
  if (x.shape.length < 1 || x.dtype !== 'f32') throw new Error(`row-norms: needs an f32 tensor with at least one axis, got ${x.dtype} [${x.shape.join(', ')}]`);
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const norms = gpu.empty([rows], 'f32', 'row-norms.out');
  await gpu.run(rowNormsKernel, {
    params: packParams([{ u32: rows }, { u32: cols }]),
    buffers: [x, norms],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG },
  });
  return norms;
}
