import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { DENSE_ARCH_CODE, type DenseArch } from './sae-dense-act.js';
import { dummyTensor } from './dummy.js';
import source from './sae-latent-grad.wgsl?raw';

export const saeLatentGradKernel = { name: 'sae-latent-grad', source };
const WG = 64;

export interface LatentGradBuffers {
  /** [rows, mc] f32 */
  pre: GpuTensor;
  /** [rows, mc] f32 d loss / d f (omit for forward-only statistics) */
  gf?: GpuTensor;
  /** [m] f32: decoder row norms (ReLU) or thresholds theta (JumpReLU) */
  coef: GpuTensor;
  /** [rows, mc] f32 output */
  gpre?: GpuTensor;
  /** [m] f32 output: encoder bias gradient */
  dbias?: GpuTensor;
  /** [m] f32 output (JumpReLU) */
  dlogTheta?: GpuTensor;
  /** [m, 4] f32 output: fires, fsum, window pairs */
  latStats: GpuTensor;
}

/** Backward through ReLU / JumpReLU for latents c0 … c0 + mc; `lam` is the L1 or L0 coefficient, `eps` the bandwidth. */
export async function latentGrad(gpu: Gpu, arch: DenseArch, b: LatentGradBuffers, c0: number, lam: number, eps: number): Promise<void> {
  const [rows, mc] = b.pre.shape;
  const forwardOnly = !b.gf;
  if (!forwardOnly) {
    expectShape('latentGrad: gf', b.gf!, [rows, mc]);
    if (!b.gpre || !b.dbias) throw new Error('latentGrad: gpre and dbias are required with gf');
    expectShape('latentGrad: gpre', b.gpre, [rows, mc]);
    if (arch === 'jumprelu' && !b.dlogTheta) throw new Error('latentGrad: JumpReLU needs dlogTheta');
  }
  const m = b.coef.shape[0];
  expectShape('latentGrad: latStats', b.latStats, [m, 4]);
  if (c0 + mc > m) throw new Error(`latentGrad: shard ${c0}+${mc} exceeds m=${m}`);
    await gpu.run(saeLatentGradKernel, {
    params: packParams([{ u32: rows }, { u32: mc }, { u32: c0 }, { u32: DENSE_ARCH_CODE[arch] }, { f32: lam }, { f32: eps }, { u32: forwardOnly ? 1 : 0 }]),
    buffers: [b.pre, b.gf ?? dummyTensor(gpu, 1), b.coef, b.gpre ?? dummyTensor(gpu, 2), b.dbias ?? dummyTensor(gpu, 3), b.dlogTheta ?? dummyTensor(gpu, 4), b.latStats],
    workgroups: Math.ceil(mc / WG),
    overrides: { WG },
  });
}
