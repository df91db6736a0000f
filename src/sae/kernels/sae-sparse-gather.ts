import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-sparse-gather.wgsl?raw';

export const saeSparseGatherKernels = {
  decode: { name: 'sae-sparse-gather', source, entryPoint: 'decode' },
  decode4: { name: 'sae-sparse-gather', source, entryPoint: 'decode4' },
  dot: { name: 'sae-sparse-gather', source, entryPoint: 'dot' },
  dot4: { name: 'sae-sparse-gather', source, entryPoint: 'dot4' },
};
const WG = 64;

/** A sparse code: per row, kk (value, latent) slots; latent 0xFFFFFFFF marks an empty slot. */
export interface SparseCode {
  /** [rows, kk] f32 raw pre-activations (the code's activation is relu(val)) */
  val: GpuTensor;
  /** [rows, kk] u32 latent indices */
  idx: GpuTensor;
}

/** Latent rows [c0, c0 + mc) of a matrix held in one binding. */
export interface ShardView {
  /** [mc, d] f32 */
  w: GpuTensor;
  c0: number;
}

/**
 * y = beta·y + relu(val) gathered over the shard's decoder rows (+ bias). d % 4 = 0 takes the vec4 entry point.
 * @param y [rows, d] f32
 */
export async function sparseDecode(gpu: Gpu, code: SparseCode, shard: ShardView, y: GpuTensor, opts: { beta?: number; bias?: GpuTensor } = {}): Promise<void> {
  const [rows, kk] = code.val.shape;
  const [mc, d] = shard.w.shape;
  expectShape('sparseDecode: idx', code.idx, [rows, kk]);
  expectShape('sparseDecode: y', y, [rows, d]);
  if (opts.bias) expectShape('sparseDecode: bias', opts.bias, [d]);
  const vec4 = d % 4 === 0;
  await gpu.run(vec4 ? saeSparseGatherKernels.decode4 : saeSparseGatherKernels.decode, {
    params: packParams([{ u32: rows }, { u32: kk }, { u32: d }, { u32: shard.c0 }, { u32: mc }, { f32: opts.beta ?? 0 }, { u32: opts.bias ? 1 : 0 }]),
    buffers: [code.val, code.idx, shard.w, opts.bias ?? dummyTensor(gpu, 1), y],
    workgroups: Math.ceil((rows * (vec4 ? Math.ceil(d / 16) : d)) / WG),
    overrides: { WG },
  });
}

/**
 * out[b, j] = [val > 0] · x[b]·W[idx[b, j]] for the slots whose latent lies in the shard (others untouched).
 * d % 4 = 0 takes the vec4 entry point.
 * @param x [rows, d] f32  @param out [rows, kk] f32
 */
export async function sparseDot(gpu: Gpu, code: SparseCode, shard: ShardView, x: GpuTensor, out: GpuTensor): Promise<void> {
  const [rows, kk] = code.val.shape;
  const [mc, d] = shard.w.shape;
  expectShape('sparseDot: idx', code.idx, [rows, kk]);
  expectShape('sparseDot: x', x, [rows, d]);
  expectShape('sparseDot: out', out, [rows, kk]);
  const vec4 = d % 4 === 0;
  await gpu.run(vec4 ? saeSparseGatherKernels.dot4 : saeSparseGatherKernels.dot, {
    params: packParams([{ u32: rows }, { u32: kk }, { u32: d }, { u32: shard.c0 }, { u32: mc }, { f32: 0 }, { u32: 0 }]),
    buffers: [code.val, code.idx, shard.w, x, out],
    workgroups: Math.ceil((rows * (vec4 ? Math.ceil(kk / 4) : kk)) / WG),
    overrides: { WG },
  });
}
