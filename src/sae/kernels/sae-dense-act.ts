import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-dense-act.wgsl?raw';

export const saeDenseActKernel = { name: 'sae-dense-act', source };
const WG = 64;

export type DenseArch = 'relu' | 'jumprelu';
export const DENSE_ARCH_CODE: Record<DenseArch, number> = { relu: 0, jumprelu: 1 };

/**
 * f = relu(pre) or pre·[pre > theta] for latents c0 … c0 + mc.
 * @param pre [rows, mc] f32  @param theta [m] f32 (JumpReLU only)  @param f [rows, mc] f32
 */
export async function activate(gpu: Gpu, arch: DenseArch, pre: GpuTensor, f: GpuTensor, c0: number, theta?: GpuTensor): Promise<void> {
  const [rows, mc] = pre.shape;
  expectShape('activate: f', f, [rows, mc]);
  if (arch === 'jumprelu' && !theta) throw new Error('activate: JumpReLU needs theta');
  await gpu.run(saeDenseActKernel, {
    params: packParams([{ u32: rows }, { u32: mc }, { u32: c0 }, { u32: DENSE_ARCH_CODE[arch] }]),
    buffers: [pre, theta ?? dummyTensor(gpu, 1), f],
    workgroups: Math.ceil((rows * mc) / WG),
    overrides: { WG },
  });
}
