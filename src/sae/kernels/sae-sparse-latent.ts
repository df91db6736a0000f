import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import type { Csr } from './sae-csr.js';
import source from './sae-sparse-latent.wgsl?raw';

export const saeSparseLatentKernel = { name: 'sae-sparse-latent', source };
const WG = 64;

/**
 * dbias[i] = beta·dbias[i] + Σ_{e ∈ list(i)} g[e]; with `stats`, latStats[i] = (fires, fsum, 0, 0) of relu(val).
 * @param val, g [rows, kk] f32  @param dbias [m]  @param latStats [m, 4]
 */
export async function sparseLatentSums(gpu: Gpu, csr: Csr, val: GpuTensor, g: GpuTensor, dbias: GpuTensor, latStats: GpuTensor, opts: { stats: boolean; beta?: number }): Promise<void> {
  const m = csr.offsets.shape[0] - 1;
  expectShape('sparseLatentSums: g', g, val.shape);
  expectShape('sparseLatentSums: dbias', dbias, [m]);
  expectShape('sparseLatentSums: latStats', latStats, [m, 4]);
  await gpu.run(saeSparseLatentKernel, {
    params: packParams([{ u32: m }, { u32: opts.stats ? 1 : 0 }, { f32: opts.beta ?? 0 }]),
    buffers: [csr.offsets, csr.entries, val, g, dbias, latStats],
    workgroups: Math.ceil(m / WG),
    overrides: { WG },
  });
}
