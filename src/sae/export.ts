import { saeToSaelens, writeNpz, writeSafetensors, type SaeWeights } from '../formats/index.js';
import type { TrainConfig } from './config.js';
import type { SaeParams } from './sae-gpu.js';

/**
 * The trained SAE as SaeWeights for raw inputs: training-time input scaling s is folded into the weights
 * (W_enc·s, W_dec/s, b_dec/s; thresholds unchanged), as SAELens does at the end of training, so the
 * exported SAE reads unscaled activations and cfg.json says normalize_activations "none".
 */
export function toSaeWeights(p: SaeParams, opts: { threshold?: Float32Array; inputScale?: number; source?: string } = {}): SaeWeights {
  const s = opts.inputScale ?? 1;
  const threshold = p.arch === 'jumprelu' ? (opts.threshold ?? p.log_theta?.map(Math.exp)) : undefined;
  return {
    architecture: p.arch,
    dIn: p.d,
    dSae: p.m,
    W_enc: s === 1 ? p.W_enc : p.W_enc.map((v) => v * s),
    W_dec: s === 1 ? p.W_dec : p.W_dec.map((v) => v / s),
    b_enc: p.b_enc,
    b_dec: s === 1 ? p.b_dec : p.b_dec.map((v) => v / s),
    ...(threshold ? { threshold } : {}),
    ...(p.arch === 'topk' ? { k: p.k } : {}),
    applyBDecToInput: p.applyBDecToInput,
    normalizeActivations: 'none',
    source: opts.source ?? 'deltascope',
  };
}

/** log10 of each latent's firing frequency (SAELens' sparsity.safetensors), floored at 1e-10. */
export function logFeatureSparsity(featureDensity: Float32Array): Float32Array {
  return featureDensity.map((f) => Math.log10(f + 1e-10));
}

export interface SaelensExtras {
  /** [m] fraction of tokens on which each latent fires */
  featureDensity: Float32Array;
  /** e.g. blocks.L.hook_resid_post and the layer, for SAELens tooling */
  hookName?: string;
  hookLayer?: number;
  modelName?: string;
}

/** SAELens folder files: cfg.json, sae_weights.safetensors, sparsity.safetensors (log_feature_sparsity). */
export function saelensFiles(weights: SaeWeights, cfg: TrainConfig, extras: SaelensExtras): Record<string, Uint8Array> {
  const trainInfo = {
    architecture_deltascope: cfg.arch,
    ...(cfg.arch === 'topk' ? { k: cfg.k } : {}),
    hook_name: extras.hookName ?? 'delta',
    hook_layer: extras.hookLayer ?? 0,
    model_name: extras.modelName ?? 'unknown',
    context_size: null,
    prepend_bos: true,
    dataset_path: 'deltascope',
    // The scale the training inputs were multiplied by (E‖s·x‖ = √d); already folded into these weights.
    deltascope: {
      input_scale: cfg.inputScale,
      input_scale_folded: true,
      l1_coefficient: cfg.arch === 'relu' ? cfg.l1Coefficient : undefined,
      l0_coefficient: cfg.arch === 'jumprelu' ? cfg.l0Coefficient : undefined,
      bandwidth: cfg.arch === 'jumprelu' ? cfg.bandwidth : undefined,
      lr: cfg.lr,
      steps: cfg.steps,
      batch_size: cfg.batchSize,
      seed: cfg.seed,
    },
  };
  const files = saeToSaelens(weights, {
    ...trainInfo,
    metadata: { hook_name: trainInfo.hook_name, hook_layer: trainInfo.hook_layer, model_name: trainInfo.model_name, prepend_bos: true },
  });
  const sparsity = logFeatureSparsity(extras.featureDensity);
  return {
    'cfg.json': new TextEncoder().encode(files['cfg.json']),
    'sae_weights.safetensors': files['sae_weights.safetensors'],
    'sparsity.safetensors': writeSafetensors({ log_feature_sparsity: { dtype: 'F32', shape: [weights.dSae], data: sparsity } }, { format: 'pt' }),
  };
}

/** Gemma Scope params.npz (W_enc [d, m], W_dec [m, d], b_enc, b_dec, threshold; threshold 0 for non-JumpReLU). */
export function gemmaScopeNpz(w: SaeWeights): Uint8Array {
  return writeNpz({
    W_enc: { data: w.W_enc, shape: [w.dIn, w.dSae] },
    W_dec: { data: w.W_dec, shape: [w.dSae, w.dIn] },
    b_enc: { data: w.b_enc, shape: [w.dSae] },
    b_dec: { data: w.b_dec, shape: [w.dIn] },
    threshold: { data: w.threshold ?? new Float32Array(w.dSae), shape: [w.dSae] },
  });
}
