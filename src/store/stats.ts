/**
 * Running moments of one stored tensor (a layer's base activations or one adapter's deltas), merged
 * exactly across batches with Chan et al.'s parallel update. Per-dimension mean/M2 cover text tokens
 * only (BOS and padding excluded, as the SAE sees them); norms are kept both ways.
 */
export interface MomentStats {
  /** Text tokens (neither BOS nor padding). */
  count: number;
  /** Σ‖x‖ over text tokens; mean per-token norm = sumNorm / count. */
  sumNorm: number;
  /** Non-padding tokens, BOS included (the fixtures' heatmap definition). */
  countWithBos: number;
  sumNormWithBos: number;
  /** Per-dimension mean over text tokens, float64. */
  mean: number[];
  /** Per-dimension Σ(x − mean)² over text tokens; variance = m2 / count. */
  m2: number[];
}

export function emptyMoments(hidden: number): MomentStats {
  return { count: 0, sumNorm: 0, countWithBos: 0, sumNormWithBos: 0, mean: new Array<number>(hidden).fill(0), m2: new Array<number>(hidden).fill(0) };
}

/** a ⊕ b (pure): the moments of the union of both samples. */
export function mergeMoments(a: MomentStats, b: MomentStats): MomentStats {
  if (a.mean.length !== b.mean.length) throw new Error(`mergeMoments: hidden ${a.mean.length} vs ${b.mean.length}`);
  const n = a.count + b.count;
  const mean = a.mean.slice();
  const m2 = a.m2.slice();
  if (b.count > 0) {
    for (let i = 0; i < mean.length; i++) {
      const d = b.mean[i] - a.mean[i];
      mean[i] = a.mean[i] + (d * b.count) / n;
      m2[i] = a.m2[i] + b.m2[i] + (d * d * a.count * b.count) / n;
    }
  }
  return {
    count: n,
    sumNorm: a.sumNorm + b.sumNorm,
    countWithBos: a.countWithBos + b.countWithBos,
    sumNormWithBos: a.sumNormWithBos + b.sumNormWithBos,
    mean,
    m2,
  };
}

/** Summary a UI or bundle shows: mean token norm (with and without BOS), and per-dimension variance. */
export function summarizeMoments(s: MomentStats): { meanNorm: number; meanNormWithBos: number; variance: number[]; meanSquaredNorm: number } {
  const variance = s.m2.map((v) => (s.count > 0 ? v / s.count : 0));
  let meanSquaredNorm = 0;
  for (let i = 0; i < s.mean.length; i++) meanSquaredNorm += variance[i] + s.mean[i] * s.mean[i];
  return {
    meanNorm: s.count > 0 ? s.sumNorm / s.count : 0,
    meanNormWithBos: s.countWithBos > 0 ? s.sumNormWithBos / s.countWithBos : 0,
    variance,
    meanSquaredNorm,
  };
}
