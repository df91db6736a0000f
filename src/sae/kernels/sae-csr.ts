import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './sae-csr.wgsl?raw';

export const saeCsrKernel = { name: 'sae-csr', source };
const WG = 256;

/** Per-latent lists of a sparse code's slots: entries[offsets[i] .. offsets[i+1]) are the flat slots b·kk + j of latent i. */
export interface Csr {
  /** [m + 1] u32 */
  offsets: GpuTensor;
  /** [rows·kk] u32 */
  entries: GpuTensor;
}

/**
 * Builds the CSR lists of idx [rows, kk] (u32 latents < m or SENTINEL), in ascending slot order.
 */
export async function buildCsr(gpu: Gpu, idx: GpuTensor, m: number, out: Csr): Promise<void> {
  const count = idx.shape[0] * idx.shape[1];
  expectShape('buildCsr: offsets', out.offsets, [m + 1]);
  expectShape('buildCsr: entries', out.entries, [count]);
  const buffers = [idx, out.offsets, out.entries];
  const grid = Math.ceil(m / WG);
  await gpu.run(saeCsrKernel, { params: packParams([{ u32: m }, { u32: count }, { u32: 0 }]), buffers, workgroups: grid, overrides: { WG } });
  await gpu.run(saeCsrKernel, { params: packParams([{ u32: m }, { u32: count }, { u32: 1 }]), buffers, workgroups: 1, overrides: { WG } });
  await gpu.run(saeCsrKernel, { params: packParams([{ u32: m }, { u32: count }, { u32: 2 }]), buffers, workgroups: grid, overrides: { WG } });
}
