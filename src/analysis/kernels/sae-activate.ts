import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import type { Activation } from '../sae-dictionary.js';
import source from './sae-activate.wgsl?raw';

export const saeActivateKernel = { name: 'sae-activate', source };
const WG = 256;
const MODE: Record<Activation, number> = { relu: 0, jumprelu: 1, topk: 2 };

/**
 * In place: pre [rows, m] → acts, counting per-token L0 and per-latent firings (accumulated into l0, fires).
 * @param threshold [m] f32 (JumpReLU; any [≥1] tensor otherwise)
 * @param cut [rows] u32 per-row k-th largest key (TopK, from topkCut; any [≥1] u32 tensor otherwise)
 */
export async function saeActivate(
  gpu: Gpu,
  pre: GpuTensor,
  mode: Activation,
  threshold: GpuTensor,
  cut: GpuTensor,
  l0: GpuTensor,
  fires: GpuTensor,
): Promise<void> {
  expectShape('saeActivate: pre', pre, [-1, -1]);
  const [rows, m] = pre.shape;
  if (mode === 'jumprelu') expectShape('saeActivate: threshold', threshold, [m]);
  if (mode === 'topk') expectShape('saeActivate: cut', cut, [rows]);
  expectShape('saeActivate: l0', l0, [rows]);
  expectShape('saeActivate: fires', fires, [m]);
  if (l0.dtype !== 'u32' || fires.dtype !== 'u32' || cut.dtype !== 'u32') throw new Error('saeActivate: l0, fires and cut must be u32');
  await gpu.run(saeActivateKernel, {
    params: packParams([{ u32: rows }, { u32: m }, { u32: MODE[mode] }]),
    buffers: [pre, threshold, cut, l0, fires],
    workgroups: Math.ceil((rows * m) / WG),
    overrides: { WG },
  });
}
