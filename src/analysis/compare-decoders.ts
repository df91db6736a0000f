import { MATCH_THRESHOLDS, fractionAbove, maxCosine, mean } from './cpu/cosine.js';
import type { MatrixLike } from './cpu/matrix.js';
import { decoderPrincipalAngles } from './cpu/subspace.js';

export interface CompareOptions {
  /** subspace dimensions for principal angles (default [8, 16], clipped to what the shapes allow) */
  ks?: readonly number[];
  /** bins over [-1, 1] for the histogram of all pairwise cosines (0 = none; default 0) */
  histogramBins?: number;
  thresholds?: readonly number[];
}

/** Everything the geometry panels and `metrics --decoders` report for two decoders A [m1, d], B [m2, d]. */
export interface DecoderComparison {
  maxCosA: Float64Array;
  argmaxA: Int32Array;
  maxCosB: Float64Array;
  argmaxB: Int32Array;
  meanMaxCosA: number;
  meanMaxCosB: number;
  /** share of A's rows with max cos strictly above each threshold, keyed "0.5" … */
  fracAAbove: Record<string, number>;
  fracBAbove: Record<string, number>;
  /** k → principal angles (ascending radians) between the top-k right singular subspaces */
  principalAngles: Record<string, number[]>;
  /** k → their cosines (descending) */
  principalCosines: Record<string, number[]>;
  /** counts of all pairwise cosines in equal bins over [-1, 1], when asked for */
  cosineHistogram?: number[];
}

/** Largest usable k values: k ≤ min(rows, d) of both decoders. */
export function usableKs(a: MatrixLike, b: MatrixLike, ks: readonly number[]): number[] {
  const limit = Math.min(a.rows, b.rows, a.cols);
  return ks.filter((k) => Number.isInteger(k) && k >= 1 && k <= limit);
}

/** Max-cosine matching both ways plus principal angles, in float64 on the CPU (small decoders). */
export function compareDecoders(a: MatrixLike, b: MatrixLike, options: CompareOptions = {}): DecoderComparison {
  const hist = options.histogramBins ? new Float64Array(options.histogramBins) : undefined;
  const mc = maxCosine(a, b, hist);
  const thresholds = options.thresholds ?? MATCH_THRESHOLDS;
  const ks = usableKs(a, b, options.ks ?? [8, 16]);
  const pa = ks.length ? decoderPrincipalAngles(a, b, ks) : new Map();
  const principalAngles: Record<string, number[]> = {};
  const principalCosines: Record<string, number[]> = {};
  for (const [k, v] of pa) {
    principalAngles[String(k)] = Array.from(v.angles);
    principalCosines[String(k)] = Array.from(v.cosines);
  }
  return {
    ...mc,
    meanMaxCosA: mean(mc.maxCosA),
    meanMaxCosB: mean(mc.maxCosB),
    fracAAbove: fractionAbove(mc.maxCosA, thresholds),
    fracBAbove: fractionAbove(mc.maxCosB, thresholds),
    principalAngles,
    principalCosines,
    ...(hist ? { cosineHistogram: Array.from(hist) } : {}),
  };
}

/** The JSON of `deltascope metrics --decoders` (DESIGN.md contract). */
export function comparisonJson(c: DecoderComparison): {
  max_cos_A: number[];
  max_cos_B: number[];
  mean_max_cos_A: number;
  mean_max_cos_B: number;
  frac_A_max_cos_above: Record<string, number>;
  principal_angles: Record<string, number[]>;
} {
  return {
    max_cos_A: Array.from(c.maxCosA),
    max_cos_B: Array.from(c.maxCosB),
    mean_max_cos_A: c.meanMaxCosA,
    mean_max_cos_B: c.meanMaxCosB,
    frac_A_max_cos_above: c.fracAAbove,
    principal_angles: c.principalAngles,
  };
}
