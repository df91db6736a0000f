import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import type { Csr } from './sae-csr.js';
import source from './sae-sparse-outer.wgsl?raw';

export const saeSparseOuterKernels = {
  scalar: { name: 'sae-sparse-outer', source },
  vec4: { name: 'sae-sparse-outer', source, entryPoint: 'main4' },
};
const WG = 64;
/** Columns per thread: COLS in the WGSL's main, two vec4 in main4 (d % 4 = 0). */
const COLS = 4;
const COLS_VEC4 = 8;

/** The two weight gradients of a TopK code over one latent shard [c0, c0 + mc). */
export interface SparseWeightGrads {
  /** [rows, kk] f32 pre-activations of the code (the decoder gradient weighs by relu(val)) */
  val: GpuTensor;
  /** [rows, kk] f32 d loss / d code value (the encoder gradient weighs by it) */
  g: GpuTensor;
  /** [rows, d] f32 d loss / d decoder output */
  gy: GpuTensor;
  /** [rows, d] f32 encoder input */
  x: GpuTensor;
  /** [mc, d] f32 decoder-row gradients */
  dDec: GpuTensor;
  /** [mc, d] f32 encoder-row gradients (W_encᵀ layout) */
  dEnc: GpuTensor;
}

/**
 * dDec[i - c0] = beta·dDec + Σ relu(val[e])·gy[e / kk] and dEnc[i - c0] = beta·dEnc + Σ g[e]·x[e / kk]
 * over latent i's slots e, in one dispatch.
 */
export async function sparseWeightGrads(gpu: Gpu, csr: Csr, t: SparseWeightGrads, c0: number, beta = 0): Promise<void> {
  const [rows, kk] = t.val.shape;
  const [mc, d] = t.dDec.shape;
  expectShape('sparseWeightGrads: g', t.g, [rows, kk]);
  expectShape('sparseWeightGrads: gy', t.gy, [rows, d]);
  expectShape('sparseWeightGrads: x', t.x, [rows, d]);
  expectShape('sparseWeightGrads: dEnc', t.dEnc, [mc, d]);
  expectShape('sparseWeightGrads: entries', csr.entries, [rows * kk]);
  if (c0 + mc + 1 > csr.offsets.shape[0]) throw new Error(`sparseWeightGrads: shard ${c0}+${mc} exceeds the CSR's ${csr.offsets.shape[0] - 1} latents`);
  const vec4 = d % 4 === 0;
  await gpu.run(vec4 ? saeSparseOuterKernels.vec4 : saeSparseOuterKernels.scalar, {
    params: packParams([{ u32: mc }, { u32: d }, { u32: c0 }, { u32: kk }, { f32: beta }]),
    buffers: [csr.offsets, csr.entries, t.val, t.g, t.gy, t.x, t.dDec, t.dEnc],
    workgroups: Math.ceil((mc * Math.ceil(d / (vec4 ? COLS_VEC4 : COLS))) / WG),
    overrides: { WG },
  });
}
