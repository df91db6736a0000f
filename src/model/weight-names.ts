import { projectionParent, type ProjectionKind } from '../formats/index.js';

/** Hugging Face Gemma-2 tensor names, mapped here once (formats/ keeps them verbatim). */
export const EMBED_TOKENS = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';

export type NormKind = 'input_layernorm' | 'post_attention_layernorm' | 'pre_feedforward_layernorm' | 'post_feedforward_layernorm';
export const NORM_KINDS: readonly NormKind[] = ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'];

export function normName(layer: number, kind: NormKind): string {
  return `model.layers.${layer}.${kind}.weight`;
}

export function projectionName(layer: number, kind: ProjectionKind): string {
  return `model.layers.${layer}.${projectionParent(kind)}.${kind}.weight`;
}
