import { throwIfAborted } from '../errors/index.js';
import type { Dose, DoseLatent, Histogram } from '../formats/index.js';
import { encodeSae } from './cpu/sae-encode.js';
import type { SaeDictionary } from './sae-dictionary.js';

/** The multipliers of each adapter's scaling: α = 0 is the base model, α = 1 the adapter as trained. */
export const DOSE_ALPHAS: readonly number[] = [0, 0.25, 0.5, 1, 1.5, 2];
/** A latent's onset: the smallest α at which Δa reaches this fraction of Δa at the largest α (same sign). */
export const DOSE_ONSET_FRACTION = 0.2;
/** Latents whose max|Δa| is at least this fraction of the strongest latent's count as responsive. */
export const DOSE_RESPONSIVE_FRACTION = 0.01;
/** Latents reported per (adapter, layer), those with the largest max|Δa|. */
export const DOSE_TOP_LATENTS = 12;
/** Bins of the linearity-score histogram over [0, 1]. */
export const DOSE_LINEARITY_BINS = 10;
/** Rows encoded at once (bounds the float64 scratch to ENCODE_CHUNK × width). */
const ENCODE_CHUNK = 64;

/** Mean per-row Euclidean norm of x [rows, d], in float64. */
export function meanRowNorm(x: ArrayLike<number>, rows: number, d: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += x[r * d + j] ** 2;
    s += Math.sqrt(q);
  }
  return rows > 0 ? s / rows : 0;
}

/** Mean activation of every latent of `sae` over the rows of x [rows, d] (float64, encoded in chunks). */
export function meanLatentActivations(sae: SaeDictionary, x: Float32Array, rows: number, signal?: AbortSignal): Float64Array {
  const { dIn: d, dSae: m } = sae;
  const sums = new Float64Array(m);
  for (let r0 = 0; r0 < rows; r0 += ENCODE_CHUNK) {
    throwIfAborted(signal, 'dose-response');
    const n = Math.min(ENCODE_CHUNK, rows - r0);
    // the delta SAEs hold their input scale folded in (normScale 1), as the evaluate stage encodes them
    const { acts } = encodeSae(sae, x.subarray(r0 * d, (r0 + n) * d), n, 1);
    for (let i = 0; i < n * m; i++) sums[i % m] += acts[i];
  }
  return sums.map((v) => (rows > 0 ? v / rows : 0));
}

/**
 * How far a latent's response Δa(α) = a(α) − a(0) is from proportional to α: the least-squares slope c of
 * Δa = c·α through the origin, the score 1 − R² with the uncentred R² = 1 − Σ(Δa − cα)² / ΣΔa² (0 when
 * proportional; it cannot exceed 1), and the onset (DOSE_ONSET_FRACTION). A response that is 0 everywhere
 * scores 0 with no onset.
 */
export function doseLinearity(alphas: readonly number[], means: readonly number[]): Pick<DoseLatent, 'slope' | 'linearity' | 'onset'> {
  const i0 = alphas.indexOf(0);
  const a0 = i0 >= 0 ? means[i0] : 0;
  const da = means.map((v) => v - a0);
  let aa = 0;
  let ay = 0;
  let yy = 0;
  alphas.forEach((a, i) => {
    aa += a * a;
    ay += a * da[i];
    yy += da[i] * da[i];
  });
  const slope = aa > 0 ? ay / aa : 0;
  let res = 0;
  alphas.forEach((a, i) => (res += (da[i] - slope * a) ** 2));
  const linearity = yy > 0 ? Math.min(1, Math.max(0, res / yy)) : 0;
  const iMax = alphas.indexOf(Math.max(...alphas));
  const top = da[iMax];
  let onset: number | null = null;
  if (top !== 0) {
    const sign = Math.sign(top);
    const order = alphas.map((a, i) => i).sort((x, y) => alphas[x] - alphas[y]);
    for (const i of order) {
      if (alphas[i] > 0 && sign * da[i] >= DOSE_ONSET_FRACTION * Math.abs(top)) {
        onset = alphas[i];
        break;
      }
    }
  }
  return { slope, linearity, onset };
}

/** Deltas of one (adapter, layer) at each α, [rows, d] each; null where the delta is 0 by definition (α = 0). */
export interface DoseDeltas {
  alphas: readonly number[];
  deltas: (Float32Array | null)[];
  rows: number;
  d: number;
}

/**
 * Dose-response of one (adapter, layer) from its deltas at each α and its delta SAE (trained at α = 1):
 * mean ‖delta‖ per α, every latent's mean activation per α (a zero delta is encoded too: an SAE with biases
 * may fire on it), the DOSE_TOP_LATENTS latents with the largest max|Δa| with their linearity, and the
 * histogram of the linearity scores of the responsive latents.
 */
export function doseResponse(sae: SaeDictionary, input: DoseDeltas, meta: { layer: number; adapter: string; sequences: number }, signal?: AbortSignal): Dose {
  const { alphas, deltas, rows, d } = input;
  const zero = new Float32Array(d);
  const meanDeltaNorm = deltas.map((x) => (x ? meanRowNorm(x, rows, d) : 0));
  const perAlpha = deltas.map((x) => (x ? meanLatentActivations(sae, x, rows, signal) : meanLatentActivations(sae, zero, 1, signal)));
  const m = sae.dSae;
  const i0 = alphas.indexOf(0);
  const strength = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const base = i0 >= 0 ? perAlpha[i0][j] : 0;
    for (const means of perAlpha) strength[j] = Math.max(strength[j], Math.abs(means[j] - base));
  }
  const strongest = Math.max(0, ...strength);
  const responsive: number[] = [];
  for (let j = 0; j < m; j++) if (strongest > 0 && strength[j] >= DOSE_RESPONSIVE_FRACTION * strongest) responsive.push(j);
  const latentOf = (j: number): DoseLatent => {
    const means = perAlpha.map((p) => p[j]);
    return { latent: j, means, ...doseLinearity(alphas, means) };
  };
  const top = [...responsive].sort((a, b) => strength[b] - strength[a] || a - b).slice(0, DOSE_TOP_LATENTS);
  const counts = new Array<number>(DOSE_LINEARITY_BINS).fill(0);
  for (const j of responsive) counts[Math.min(DOSE_LINEARITY_BINS - 1, Math.floor(latentOf(j).linearity * DOSE_LINEARITY_BINS))]++;
  const linearity: Histogram = { edges: Array.from({ length: DOSE_LINEARITY_BINS + 1 }, (_, i) => i / DOSE_LINEARITY_BINS), counts, scale: 'linear' };
  return { layer: meta.layer, adapter: meta.adapter, alphas: [...alphas], sequences: meta.sequences, tokens: rows, meanDeltaNorm, latents: top.map(latentOf), responsive: responsive.length, linearity };
}
