import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { parseJsonText } from './byte-source.js';

/** The Gemma-2 hyper-parameters the engine needs, in camelCase. `headDim` is read, never derived. */
export interface Gemma2Config {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  slidingWindow: number;
  attnLogitSoftcapping: number | null;
  finalLogitSoftcapping: number | null;
  queryPreAttnScalar: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  hiddenActivation: string;
}

const posInt = z.number().int().positive();
const posNum = z.number().positive();

/**
 * Sane maxima, far above any released Gemma-2 (46 layers, hidden 4608, vocab 256000), checked before anything
 * is sized from the config: a config asking for 10⁹ layers is refused, not allocated.
 */
export const GEMMA2_LIMITS = {
  layers: 1024,
  hidden: 65_536,
  heads: 1024,
  headDim: 4096,
  intermediate: 1_048_576,
  vocab: 4_194_304,
  positions: 16_777_216,
} as const;
const upTo = (max: number) => posInt.max(max);

/** Optional fields default exactly as transformers' Gemma2Config.__init__ does. */
const schema = z.object({
  hidden_size: upTo(GEMMA2_LIMITS.hidden),
  num_hidden_layers: upTo(GEMMA2_LIMITS.layers),
  num_attention_heads: upTo(GEMMA2_LIMITS.heads),
  intermediate_size: upTo(GEMMA2_LIMITS.intermediate),
  vocab_size: upTo(GEMMA2_LIMITS.vocab),
  num_key_value_heads: upTo(GEMMA2_LIMITS.heads).default(4),
  head_dim: upTo(GEMMA2_LIMITS.headDim).default(256),
  sliding_window: upTo(GEMMA2_LIMITS.positions).default(4096),
  attn_logit_softcapping: posNum.nullable().default(50.0),
  final_logit_softcapping: posNum.nullable().default(30.0),
  query_pre_attn_scalar: posNum.default(256),
  rms_norm_eps: posNum.default(1e-6),
  rope_theta: posNum.default(10000.0),
  max_position_embeddings: upTo(GEMMA2_LIMITS.positions).default(8192),
  tie_word_embeddings: z.boolean().default(true),
  hidden_activation: z.string().nullable().optional(),
  hidden_act: z.string().nullable().optional(),
});

/** model_type decides when present (transformers builds the config class from it); architectures only when it is absent. */
function isGemma2(json: Record<string, unknown>): boolean {
  if (json.model_type !== undefined) return json.model_type === 'gemma2';
  const arch = json.architectures;
  return Array.isArray(arch) && arch.includes('Gemma2ForCausalLM');
}

/** Validates a Hugging Face `config.json` of a Gemma-2 model. Accepts the parsed object or its text. */
export function parseGemma2Config(json: unknown, fileName: string): Gemma2Config {
  const obj = typeof json === 'string' ? parseJsonText(json, fileName) : json;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new InputError(fileName, 'config is not a JSON object');
  const rec = obj as Record<string, unknown>;
  if (!isGemma2(rec)) {
    const type = typeof rec.model_type === 'string' ? `model_type "${rec.model_type.slice(0, 100)}"` : rec.model_type !== undefined ? 'model_type is not a string' : 'no model_type';
    throw new InputError(fileName, `not a Gemma-2 model (${type})`);
  }
  const parsed = schema.safeParse(rec);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InputError(fileName, `invalid Gemma-2 config (${issues})`);
  }
  const c = parsed.data;
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new InputError(fileName, `num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${c.num_key_value_heads}`);
  }
  return {
    hiddenSize: c.hidden_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    numKeyValueHeads: c.num_key_value_heads,
    headDim: c.head_dim,
    intermediateSize: c.intermediate_size,
    vocabSize: c.vocab_size,
    slidingWindow: c.sliding_window,
    attnLogitSoftcapping: c.attn_logit_softcapping,
    finalLogitSoftcapping: c.final_logit_softcapping,
    queryPreAttnScalar: c.query_pre_attn_scalar,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    maxPositionEmbeddings: c.max_position_embeddings,
    tieWordEmbeddings: c.tie_word_embeddings,
    // Gemma2Config calls it hidden_activation; older exports only have hidden_act.
    hiddenActivation: c.hidden_activation ?? c.hidden_act ?? 'gelu_pytorch_tanh',
  };
}

export type ProjectionKind = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';
export const PROJECTION_KINDS: readonly ProjectionKind[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** [out, in] of each linear layer (weights are stored [out, in]; y = x Wᵀ). */
export function projectionShape(c: Gemma2Config, kind: ProjectionKind): [number, number] {
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  switch (kind) {
    case 'q_proj': return [q, c.hiddenSize];
    case 'k_proj': case 'v_proj': return [kv, c.hiddenSize];
    case 'o_proj': return [c.hiddenSize, q];
    case 'gate_proj': case 'up_proj': return [c.intermediateSize, c.hiddenSize];
    case 'down_proj': return [c.hiddenSize, c.intermediateSize];
  }
}

/** `self_attn` for attention projections, `mlp` for the MLP ones, as in the HF module path. */
export function projectionParent(kind: ProjectionKind): 'self_attn' | 'mlp' {
  return kind === 'gate_proj' || kind === 'up_proj' || kind === 'down_proj' ? 'mlp' : 'self_attn';
}
