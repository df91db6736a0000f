/**
 * What analysis needs of an SAE. `SaeWeights` from src/formats (Gemma Scope npz, SAELens folder) and the
 * SAEs the trainer produces satisfy it structurally.
 */
export interface SaeDictionary {
  /** 'jumprelu' | 'relu' | 'topk' (SAELens' 'standard' is ReLU) */
  architecture: string;
  dIn: number;
  dSae: number;
  /** [dIn, dSae] */
  W_enc: Float32Array;
  /** [dSae, dIn] */
  W_dec: Float32Array;
  /** [dSae] */
  b_enc: Float32Array;
  /** [dIn] */
  b_dec: Float32Array;
  /** [dSae], JumpReLU only */
  threshold?: Float32Array;
  /** TopK only */
  k?: number;
  /** SAELens apply_b_dec_to_input: subtract b_dec from the (normalised) input before encoding */
  applyBDecToInput: boolean;
  /** SAELens normalize_activations: 'none' | 'expected_average_only_in' | 'constant_norm_rescale' | 'layer_norm' */
  normalizeActivations: string;
}

export type Activation = 'jumprelu' | 'relu' | 'topk';

/** The activation an architecture name stands for; throws on names analysis cannot run. */
export function activationOf(sae: SaeDictionary): Activation {
  const a = sae.architecture.toLowerCase();
  if (a === 'jumprelu' || a === 'jump_relu' || a === 'gemma-scope') {
    if (!sae.threshold || sae.threshold.length !== sae.dSae) throw new Error(`JumpReLU SAE needs threshold [${sae.dSae}]`);
    return 'jumprelu';
  }
  if (a === 'relu' || a === 'standard' || a === 'relu-l1') return 'relu';
  if (a === 'topk') {
    if (!sae.k || sae.k < 1 || sae.k > sae.dSae) throw new Error(`TopK SAE needs k in 1..${sae.dSae}, got ${sae.k}`);
    return 'topk';
  }
  throw new Error(`SAE architecture "${sae.architecture}" is not supported (jumprelu, relu, topk)`);
}

/** Checks every array against dIn/dSae before any work. */
export function checkSaeShapes(sae: SaeDictionary): void {
  const { dIn: d, dSae: m } = sae;
  const want: [string, number, number][] = [
    ['W_enc', sae.W_enc.length, d * m],
    ['W_dec', sae.W_dec.length, m * d],
    ['b_enc', sae.b_enc.length, m],
    ['b_dec', sae.b_dec.length, d],
  ];
  for (const [name, got, expected] of want) {
    if (got !== expected) throw new Error(`SAE ${name} has ${got} values, expected ${expected} (dIn ${d}, dSae ${m})`);
  }
  activationOf(sae);
}

/** How a normalised token maps back: original = normalised · scale + shift (per token). */
export interface Denormalisation {
  scale: number;
  shift: number;
}

/**
 * SAELens' run-time input normalisation of one token, in place; returns the map back for the reconstruction.
 * `datasetScale` is the factor for 'expected_average_only_in' (√d / E‖x‖ over the data).
 */
export function normaliseRow(kind: string, x: Float64Array, datasetScale: number): Denormalisation {
  const d = x.length;
  switch (kind) {
    case 'none':
      return { scale: 1, shift: 0 };
    case 'expected_average_only_in':
      for (let j = 0; j < d; j++) x[j] *= datasetScale;
      return { scale: 1 / datasetScale, shift: 0 };
    case 'constant_norm_rescale': {
      let s = 0;
      for (const v of x) s += v * v;
      const f = s > 0 ? Math.sqrt(d) / Math.sqrt(s) : 1;
      for (let j = 0; j < d; j++) x[j] *= f;
      return { scale: 1 / f, shift: 0 };
    }
    case 'layer_norm': {
      let mu = 0;
      for (const v of x) mu += v;
      mu /= d;
      let varSum = 0;
      for (const v of x) varSum += (v - mu) ** 2;
      const std = Math.sqrt(varSum / d + 1e-5);
      for (let j = 0; j < d; j++) x[j] = (x[j] - mu) / std;
      return { scale: std, shift: mu };
    }
    default:
      throw new Error(`normalize_activations "${kind}" is not supported`);
  }
}
