import { expectShape, packParams, variantFamily, type Gpu, type GpuTensor, type VariantFamily } from '../../gpu/index.js';
import source from './sae-csr.wgsl?raw';

export const saeCsrKernel = { name: 'sae-csr', source };
const saeCsrSerialKernel = { name: 'sae-csr', source, entryPoint: 'serial' };
const WG = 256;

/** Per-latent lists of a sparse code's slots: entries[offsets[i] .. offsets[i+1]) are the flat slots b·kk + j of latent i. */
export interface Csr {
  /** [m + 1] u32 */
  offsets: GpuTensor;
  /** [rows·kk] u32 */
  entries: GpuTensor;
}

/**
 * Builds the CSR lists of idx [rows, kk] (u32 latents < m or SENTINEL), in ascending slot order, by a
 * counting sort: on GPUs in parallel (atomic counts, prefix sum, atomic fill, per-list sort; the result
 * does not depend on the order in which the GPU runs threads), on CPU adapters in one serial invocation.
 */
export async function buildCsr(gpu: Gpu, idx: GpuTensor, m: number, out: Csr, family: VariantFamily = variantFamily(gpu)): Promise<void> {
  const count = idx.shape[0] * idx.shape[1];
  expectShape('buildCsr: offsets', out.offsets, [m + 1]);
  expectShape('buildCsr: entries', out.entries, [count]);
  const buffers = [idx, out.offsets, out.entries];
  if (family === 'cpu') {
    await gpu.run(saeCsrSerialKernel, { params: packParams([{ u32: m }, { u32: count }, { u32: 5 }]), buffers, workgroups: 1 });
    return;
  }
  const pass = (mode: number, workgroups: number) =>
    gpu.run(saeCsrKernel, { params: packParams([{ u32: m }, { u32: count }, { u32: mode }]), buffers, workgroups, overrides: { WG } });
  const perLatent = Math.ceil((m + 1) / WG);
  const perEntry = Math.ceil(count / WG);
  await pass(0, perLatent); // clear
  await pass(1, perEntry); // count
  await pass(2, 1); // scan
  await pass(3, perEntry); // fill
  await pass(4, perLatent); // sort each list
}
