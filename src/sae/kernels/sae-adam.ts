import { expectShape, numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './sae-adam.wgsl?raw';

export const saeAdamKernels = {
  scalar: { name: 'sae-adam', source },
  vec4: { name: 'sae-adam', source, entryPoint: 'main4' },
};
const WG = 64;
/** Elements per invocation (PER in the WGSL's main; main4 updates one vec4). */
const PER = 4;

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** One torch.optim.Adam update number t (1-based) of p from gradient g, with state m, v (all the same shape). */
export async function adamUpdate(gpu: Gpu, p: GpuTensor, g: GpuTensor, m: GpuTensor, v: GpuTensor, t: number, h: AdamHyper): Promise<void> {
  expectShape('adam: g', g, p.shape);
  expectShape('adam: m', m, p.shape);
  expectShape('adam: v', v, p.shape);
  if (!(t >= 1)) throw new Error(`adam: update number must be ≥ 1, got ${t}`);
  const n = numel(p.shape);
  const stepSize = h.lr / (1 - h.beta1 ** t);
  const sqrtBc2 = Math.sqrt(1 - h.beta2 ** t);
  await gpu.run(n % 4 === 0 ? saeAdamKernels.vec4 : saeAdamKernels.scalar, {
    params: packParams([{ u32: n }, { f32: stepSize }, { f32: sqrtBc2 }, { f32: h.beta1 }, { f32: h.beta2 }, { f32: h.eps }, { f32: 1 - h.beta1 }, { f32: 1 - h.beta2 }]),
    buffers: [p, g, m, v],
    workgroups: Math.ceil(n / (WG * PER)), // PER = 4: one vec4 per invocation in main4 too
    overrides: { WG },
  });
}
