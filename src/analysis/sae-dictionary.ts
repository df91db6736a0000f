import type { SaeWeights } from '../formats/index.js';

/** What analysis needs of an SAE: the weights src/formats loads (its `source` label is not needed here). */
export type SaeDictionary = Omit<SaeWeights, 'source'>;

export type Activation = SaeWeights['architecture'];

/** The activation of an SAE, after checking that its architecture has what that activation needs. */
export function activationOf(sae: SaeDictionary): Activation {
  if (sae.architecture === 'jumprelu' && (!sae.threshold || sae.threshold.length !== sae.dSae)) {
    throw new Error(`JumpReLU SAE needs threshold [${sae.dSae}]`);
  }
  if (sae.architecture === 'topk' && (!sae.k || sae.k < 1 || sae.k > sae.dSae)) {
    throw new Error(`TopK SAE needs k in 1..${sae.dSae}, got ${sae.k}`);
  }
  return sae.architecture;
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
