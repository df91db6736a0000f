import { expectShape, packParams, variantFamily, type Gpu, type GpuTensor, type VariantFamily } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-stats.wgsl?raw';

export const saeStatsKernel = { name: 'sae-stats', source };
const saeStatsSerialKernel = { name: 'sae-stats', source, entryPoint: 'serial' };
const WG = 256;
/** Floats per record: loss, mse, l1, l0, aux, window pairs, dead latents, 0. */
export const STATS_FIELDS = 8;
export const ARCH_CODE = { relu: 0, jumprelu: 1, topk: 2 } as const;

export interface StatsBuffers {
  /** [rows] f32 */
  sse: GpuTensor;
  /** [rows] f32 (TopK with AuxK) */
  auxSse?: GpuTensor;
  /** [m, 4] f32 */
  latStats: GpuTensor;
  /** [m] f32 decoder row norms */
  norms: GpuTensor;
  /** [m] u32 tokens since each latent last fired */
  since: GpuTensor;
  /** [4] f32: dead count, AuxK scale */
  dead: GpuTensor;
  /** [slots, 8] f32 */
  out: GpuTensor;
}

export interface StatsOptions {
  arch: keyof typeof ARCH_CODE;
  slot: number;
  lam: number;
  auxCoef: number;
  kAux: number;
  window: number;
  /** training steps update the dead-latent window; evaluation does not */
  updateDead: boolean;
}

/**
 * Reduces one batch's statistics into out[slot] (and updates the dead-latent window when training): one
 * workgroup with tree sums on GPUs, one invocation with plain loops on CPU adapters (family 'cpu').
 */
export async function stepStats(gpu: Gpu, b: StatsBuffers, o: StatsOptions, family: VariantFamily = variantFamily(gpu)): Promise<void> {
  const rows = b.sse.shape[0];
  const m = b.norms.shape[0];
  expectShape('stats: latStats', b.latStats, [m, 4]);
  expectShape('stats: since', b.since, [m]);
  if (o.slot >= b.out.shape[0]) throw new Error(`stats: slot ${o.slot} beyond ${b.out.shape[0]}`);
  const serial = family === 'cpu';
  await gpu.run(serial ? saeStatsSerialKernel : saeStatsKernel, {
    params: packParams([
      { u32: rows }, { u32: m }, { u32: o.slot }, { u32: ARCH_CODE[o.arch] }, { f32: o.lam }, { f32: o.auxCoef },
      { u32: o.window }, { u32: o.kAux }, { u32: o.updateDead ? 1 : 0 },
    ]),
    buffers: [b.sse, b.auxSse ?? dummyTensor(gpu, 1), b.latStats, b.norms, b.since, b.dead, b.out],
    workgroups: 1,
    overrides: serial ? {} : { WG },
  });
}
