import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-rows.wgsl?raw';

export const saeRowsKernels = {
  scalar: { name: 'sae-rows', source },
  vec4: { name: 'sae-rows', source, entryPoint: 'main4' },
};
const WG = 64;

async function rows(gpu: Gpu, mode: number, w: GpuTensor, c0: number, o: { g?: GpuTensor; norms?: GpuTensor; latStats?: GpuTensor; s?: number }): Promise<void> {
  const [mc, d] = w.shape;
  if (o.g) expectShape('sae-rows: g', o.g, [mc, d]);
  await gpu.run(d % 4 === 0 ? saeRowsKernels.vec4 : saeRowsKernels.scalar, {
    params: packParams([{ u32: mc }, { u32: d }, { u32: c0 }, { f32: o.s ?? 0 }]),
    buffers: [w, o.g ?? dummyTensor(gpu, 1), o.norms ?? dummyTensor(gpu, 2), o.latStats ?? dummyTensor(gpu, 3)],
    workgroups: Math.ceil(mc / WG),
    overrides: { WG, MODE: mode },
  });
}

/** norms[c0 + i] = ‖w_i‖.  @param w [mc, d]  @param norms [m] */
export function rowNorms(gpu: Gpu, w: GpuTensor, norms: GpuTensor, c0: number): Promise<void> {
  if (c0 + w.shape[0] > norms.shape[0]) throw new Error(`rowNorms: shard ${c0}+${w.shape[0]} exceeds ${norms.shape[0]}`);
  return rows(gpu, 0, w, c0, { norms });
}

/** w_i ← w_i / ‖w_i‖ (unit-norm decoder rows). */
export function normaliseRows(gpu: Gpu, w: GpuTensor): Promise<void> {
  return rows(gpu, 1, w, 0, {});
}

/** g_i ← g_i − (g_i·u_i)u_i with u_i = w_i/‖w_i‖ (gradient tangent to the unit sphere). */
export function projectRows(gpu: Gpu, w: GpuTensor, g: GpuTensor): Promise<void> {
  return rows(gpu, 2, w, 0, { g });
}

/** g_i ← g_i + s·fsum_i/norms_i·w_i, the decoder-norm-weighted L1 term (s = λ/B). @param latStats [m, 4] */
export function addL1DecoderGrad(gpu: Gpu, w: GpuTensor, g: GpuTensor, norms: GpuTensor, latStats: GpuTensor, c0: number, s: number): Promise<void> {
  return rows(gpu, 3, w, c0, { g, norms, latStats, s });
}
