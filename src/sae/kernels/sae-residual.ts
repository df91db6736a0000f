import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-residual.wgsl?raw';

export const saeResidualKernel = { name: 'sae-residual', source };
const WG = 64;

/**
 * e = xhat (+ extra) − x;  g = coef·(scale[1] when given)·e;  sse[b] = Σ_c e².
 * @param xhat, x, g [rows, d] f32  @param sse [rows] f32  @param scale [4] f32 (AuxK's dead-latent scale)
 */
export async function residual(gpu: Gpu, xhat: GpuTensor, x: GpuTensor, g: GpuTensor, sse: GpuTensor, coef: number, opts: { extra?: GpuTensor; scale?: GpuTensor } = {}): Promise<void> {
  const [rows, d] = x.shape;
  expectShape('residual: xhat', xhat, [rows, d]);
  expectShape('residual: g', g, [rows, d]);
  expectShape('residual: sse', sse, [rows]);
  if (opts.extra) expectShape('residual: extra', opts.extra, [rows, d]);
    await gpu.run(saeResidualKernel, {
    params: packParams([{ u32: rows }, { u32: d }, { f32: coef }, { u32: opts.extra ? 1 : 0 }, { u32: opts.scale ? 1 : 0 }]),
    buffers: [xhat, opts.extra ?? dummyTensor(gpu, 1), x, opts.scale ?? dummyTensor(gpu, 2), g, sse],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG },
  });
}
