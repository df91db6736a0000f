import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import type { Csr } from './sae-csr.js';
import source from './sae-sparse-outer.wgsl?raw';

export const saeSparseOuterKernel = { name: 'sae-sparse-outer', source };
const WG = 64;

/**
 * dW[i - c0, :] = beta·dW + Σ over latent i's slots e of s(val[e])·y[e / kk, :], s = relu when reluVals.
 * @param val [rows, kk] f32  @param y [rows, d] f32  @param dw [mc, d] f32 (latents c0 … c0 + mc)
 */
export async function sparseOuter(gpu: Gpu, csr: Csr, val: GpuTensor, y: GpuTensor, dw: GpuTensor, c0: number, opts: { reluVals: boolean; beta?: number }): Promise<void> {
  const [rows, kk] = val.shape;
  const [mc, d] = dw.shape;
  expectShape('sparseOuter: y', y, [rows, d]);
  expectShape('sparseOuter: entries', csr.entries, [rows * kk]);
  if (c0 + mc + 1 > csr.offsets.shape[0]) throw new Error(`sparseOuter: shard ${c0}+${mc} exceeds the CSR's ${csr.offsets.shape[0] - 1} latents`);
  await gpu.run(saeSparseOuterKernel, {
    params: packParams([{ u32: mc }, { u32: d }, { u32: c0 }, { u32: kk }, { u32: opts.reluVals ? 1 : 0 }, { f32: opts.beta ?? 0 }]),
    buffers: [csr.offsets, csr.entries, val, y, dw],
    workgroups: Math.ceil((mc * d) / WG),
    overrides: { WG },
  });
}
