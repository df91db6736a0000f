/**
 * Float64 reference of the activation-difference lens, written from the issue's definition and the
 * fixtures' layout (BOS is token 2 at position 0 of every sequence), independent of src/analysis/lens.ts:
 * d̄ = mean delta over every non-BOS token; z = W_E · ((1 + g) ⊙ d̄ / √(mean(d̄²) + ε)).
 */
export interface LensReference {
  /** z over the whole vocabulary, float64 */
  z: Float64Array;
}

/** Mean over tokens whose id is not `bosId` (positionAfterBos = k: only the token at position k + 1). */
export function referenceMeanDelta(delta: ArrayLike<number>, ids: ArrayLike<number>, hidden: number, bosId: number, positionAfterBos?: number): Float64Array {
  const seqLen = ids.length / Math.max(1, countSequences(ids, bosId));
  const mean = new Float64Array(hidden);
  let n = 0;
  for (let t = 0; t < ids.length; t++) {
    if (ids[t] === bosId) continue;
    if (positionAfterBos !== undefined && t % seqLen !== positionAfterBos + 1) continue;
    for (let c = 0; c < hidden; c++) mean[c] += delta[t * hidden + c];
    n++;
  }
  return mean.map((v) => v / n);
}

function countSequences(ids: ArrayLike<number>, bosId: number): number {
  let n = 0;
  for (let t = 0; t < ids.length; t++) if (ids[t] === bosId) n++;
  return n;
}

export function referenceLens(meanDelta: Float64Array, embed: ArrayLike<number>, normWeight: ArrayLike<number>, eps: number): LensReference {
  const h = meanDelta.length;
  const rms = Math.sqrt(meanDelta.reduce((s, v) => s + v * v, 0) / h + eps);
  const v = meanDelta.map((d, i) => ((1 + normWeight[i]) * d) / rms);
  const vocab = embed.length / h;
  const z = new Float64Array(vocab);
  for (let r = 0; r < vocab; r++) {
    let s = 0;
    for (let c = 0; c < h; c++) s += embed[r * h + c] * v[c];
    z[r] = s;
  }
  return { z };
}

/** Token ids by z, largest first ('promoted') or smallest first ('suppressed'). */
export function referenceOrder(z: Float64Array, side: 'promoted' | 'suppressed'): number[] {
  const ids = Array.from(z.keys());
  return ids.sort((a, b) => (side === 'promoted' ? z[b] - z[a] : z[a] - z[b]));
}
