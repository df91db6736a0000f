/**
 * Brute-force float64 reference of the delta-feature dashboards, written from the definitions and
 * independent of src/analysis/latents.ts: encode every text token (JumpReLU or ReLU, no input normalisation),
 * list every positive activation of a latent over the whole run and sort it; frequency = share of text tokens
 * where the latent is non-zero; variance share = Σ_t ‖a_i(t)·W_dec[i]‖² / Σ_t ‖x_t‖²; histogram = counts of
 * positive activations in equal bins over [0, max].
 */
export interface RefSae {
  dIn: number;
  dSae: number;
  W_enc: ArrayLike<number>;
  b_enc: ArrayLike<number>;
  W_dec: ArrayLike<number>;
  threshold?: ArrayLike<number>;
  /** TopK: only the k largest pre-activations of a token (then ReLU) */
  k?: number;
}

export interface RefHit {
  sequence: number;
  position: number;
  activation: number;
}

export interface RefLatents {
  tokens: number;
  frequency: Float64Array;
  varianceShare: Float64Array;
  max: Float64Array;
  /** [tokens of the run, m] activations, 0 on non-text tokens */
  acts: Float64Array;
  /** every positive activation of each latent, largest first */
  hits: RefHit[][];
}

/** @param text per token of [sequences, seqLen]: whether it is a text token (not BOS, not padding) */
export function referenceLatents(sae: RefSae, x: ArrayLike<number>, text: (t: number) => boolean, seqLen: number): RefLatents {
  const { dIn: d, dSae: m } = sae;
  const n = x.length / d;
  const acts = new Float64Array(n * m);
  const fires = new Float64Array(m);
  const sq = new Float64Array(m);
  const max = new Float64Array(m);
  const hits: RefHit[][] = Array.from({ length: m }, () => []);
  let energy = 0;
  let tokens = 0;
  for (let t = 0; t < n; t++) {
    if (!text(t)) continue;
    tokens++;
    for (let j = 0; j < d; j++) energy += x[t * d + j] ** 2;
    const pres = Array.from({ length: m }, (_, i) => {
      let pre = sae.b_enc[i];
      for (let j = 0; j < d; j++) pre += x[t * d + j] * sae.W_enc[j * m + i];
      return pre;
    });
    const cut = sae.k ? [...pres].sort((a, b) => b - a)[sae.k - 1] : -Infinity;
    for (let i = 0; i < m; i++) {
      const pre = pres[i];
      const on = (sae.threshold ? pre > sae.threshold[i] : true) && pre > 0 && pre >= cut;
      const a = on ? pre : 0;
      acts[t * m + i] = a;
      if (a === 0) continue;
      fires[i]++;
      let rowSq = 0;
      for (let j = 0; j < d; j++) rowSq += (a * sae.W_dec[i * d + j]) ** 2;
      sq[i] += rowSq;
      max[i] = Math.max(max[i], a);
      hits[i].push({ sequence: Math.floor(t / seqLen), position: t % seqLen, activation: a });
    }
  }
  for (const h of hits) h.sort((a, b) => b.activation - a.activation);
  return { tokens, frequency: fires.map((f) => f / tokens), varianceShare: sq.map((s) => s / energy), max, acts, hits };
}

/** Smallest gap, relative to the row's largest |pre|, between the k-th and (k+1)-th pre-activation of any text token. */
export function topkMargin(sae: RefSae & { k: number }, x: ArrayLike<number>, text: (t: number) => boolean): number {
  const { dIn: d, dSae: m } = sae;
  let margin = Infinity;
  for (let t = 0; t < x.length / d; t++) {
    if (!text(t)) continue;
    const pres = Array.from({ length: m }, (_, i) => {
      let pre = sae.b_enc[i];
      for (let j = 0; j < d; j++) pre += x[t * d + j] * sae.W_enc[j * m + i];
      return pre;
    }).sort((a, b) => b - a);
    margin = Math.min(margin, (pres[sae.k - 1] - pres[sae.k]) / Math.max(...pres.map(Math.abs)));
  }
  return margin;
}

/** Counts of a latent's positive activations in `bins` equal bins over [0, max]; max goes in the last. */
export function referenceHistogram(ref: RefLatents, latent: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const max = ref.max[latent];
  for (const h of ref.hits[latent]) counts[Math.min(bins - 1, Math.floor((h.activation / max) * bins))]++;
  return counts;
}
