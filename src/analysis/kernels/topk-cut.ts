import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './topk-cut.wgsl?raw';

export const topkCutKernel = { name: 'topk-cut', source };
const WG = 64;

/**
 * Per row, the k-th largest value as an order-preserving u32 key (see topk-cut.wgsl); values with key ≥ cut are
 * the row's top k (more on exact ties).
 * @param x [rows, m] f32
 * @param out [rows] u32
 */
export async function topkCut(gpu: Gpu, x: GpuTensor, k: number, out: GpuTensor): Promise<GpuTensor> {
  expectShape('topkCut: x', x, [-1, -1]);
  const [rows, m] = x.shape;
  if (!Number.isInteger(k) || k < 1 || k > m) throw new Error(`topkCut: k = ${k} must be in 1..${m}`);
  expectShape('topkCut: out', out, [rows]);
  if (out.dtype !== 'u32') throw new Error('topkCut: out must be u32');
  await gpu.run(topkCutKernel, {
    params: packParams([{ u32: rows }, { u32: m }, { u32: k }]),
    buffers: [x, out],
    workgroups: rows,
    overrides: { WG },
  });
  return out;
}
