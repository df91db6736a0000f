import { expectShape, packParams, variantFamily, type Gpu, type GpuTensor, type Kernel } from '../../gpu/index.js';
import source from './attention.wgsl?raw';
import tiledSource from './attention-tiled.wgsl?raw';

/** per-query: one thread per query, no workgroup memory (SwiftShader); tiled: K/V tiles shared by a block of queries (GPUs). */
export type AttentionVariant = 'per-query' | 'tiled';

export const attentionKernels: Record<AttentionVariant, Kernel> = {
  'per-query': { name: 'model-attention', source },
  tiled: { name: 'model-attention-tiled', source: tiledSource },
};
const WG = 64;
/** queries per workgroup of the tiled variant */
const BQ = 16;
export const MAX_HEAD_DIM = 256;

export interface AttentionOptions {
  /** query_pre_attn_scalar^-½ */
  scale: number;
  /** attn_logit_softcapping (0 or null = none) */
  cap: number | null;
  /** sliding window in keys incl. the query itself (0 = global layer) */
  window: number;
  /** Default: per-query on fallback adapters such as SwiftShader (or when the 'cpu' family is forced), tiled elsewhere. */
  variant?: AttentionVariant;
}

/**
 * Causal GQA attention for whole sequences.
 * @param q [seqs, seq, heads, hd] f32  @param k,v [seqs, seq, kvHeads, hd] f32  @param o [seqs, seq, heads, hd] f32 (written)
 */
export async function attention(gpu: Gpu, q: GpuTensor, k: GpuTensor, v: GpuTensor, o: GpuTensor, opts: AttentionOptions): Promise<void> {
  const [seqs, seq, heads, hd] = q.shape;
  if (q.shape.length !== 4) throw new Error(`attention: q must be [seqs, seq, heads, hd], got [${q.shape.join(', ')}]`);
  const kvHeads = k.shape[2];
  expectShape('attention: k', k, [seqs, seq, -1, hd]);
  expectShape('attention: v', v, k.shape);
  expectShape('attention: o', o, q.shape);
  if (kvHeads < 1 || heads % kvHeads !== 0) throw new Error(`attention: ${heads} heads are not a multiple of ${kvHeads} kv heads`);
  if (hd > MAX_HEAD_DIM) throw new Error(`attention: head_dim ${hd} exceeds ${MAX_HEAD_DIM}`);
  const variant = opts.variant ?? (variantFamily(gpu) === 'cpu' ? 'per-query' : 'tiled');
  await gpu.run(attentionKernels[variant], {
    params: packParams([
      { u32: seqs }, { u32: seq }, { u32: heads }, { u32: kvHeads }, { u32: hd }, { u32: opts.window },
      { f32: opts.scale }, { f32: opts.cap ?? 0 },
    ]),
    buffers: [q, k, v, o],
    workgroups: variant === 'tiled' ? seqs * heads * Math.ceil(seq / BQ) : Math.ceil((seqs * heads * seq) / WG),
    overrides: variant === 'tiled' ? { BQ } : { WG },
  });
}
