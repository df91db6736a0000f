import { bootstrapCi, densityHistogram, MATCH_THRESHOLDS, type DecoderComparison, type ReconstructionMetrics } from '../analysis/index.js';
import type { CosineSummary, Histogram, SaeEval } from '../formats/index.js';

/**
 * Reductions from the analysis layer's arrays to the small numbers the panels and bundles hold:
 * histograms are binned here (on the worker side), never in the DOM.
 */

const COSINE_BINS = 40;

/** Counts of values in equal bins over [lo, hi]; values outside are clamped into the end bins. */
export function binLinear(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor(((values[i] - lo) / (hi - lo)) * bins);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts, scale: 'linear' };
}

/** Firing frequency on a log10 axis; dead latents get their own bin at the far left. */
export function densityToHistogram(density: ArrayLike<number>, bins = 30, minLog10 = -5): Histogram {
  const h = densityHistogram(density, bins, minLog10);
  const width = h.log10Edges[1] - h.log10Edges[0];
  return { edges: [h.log10Edges[0] - width, ...h.log10Edges], counts: [h.dead, ...h.counts], scale: 'log10', firstBinDead: true };
}

/**
 * FVU of reconstructions with a bootstrap interval over tokens. FVU = Σ sse / Σ‖x − x̄‖², both sums over
 * the resampled tokens (x̄ their mean), computed from per-token sums so each resample is O(n·d) free.
 */
export function fvuInterval(x: ArrayLike<number>, recon: ArrayLike<number>, rows: number, d: number, resamples: number, seed: number): [number, number] | null {
  if (resamples < 10 || rows < 4) return null;
  const sse = new Float64Array(rows);
  const sq = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let e = 0;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j];
      e += (v - recon[r * d + j]) ** 2;
      s += v * v;
    }
    sse[r] = e;
    sq[r] = s;
  }
  const ci = bootstrapCi(
    rows,
    (idx) => {
      const mean = new Float64Array(d);
      let e = 0;
      let s = 0;
      for (let t = 0; t < idx.length; t++) {
        const r = idx[t];
        e += sse[r];
        s += sq[r];
        for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
      }
      let m2 = 0;
      for (let j = 0; j < d; j++) m2 += mean[j] * mean[j];
      return e / (s - m2 / idx.length);
    },
    { resamples, seed },
  );
  return [ci.lo, ci.hi];
}

export function saeEval(m: ReconstructionMetrics, width: number, fvuCi: [number, number] | null): SaeEval {
  return {
    mse: m.mse,
    fvu: m.fvu,
    nmseUncentered: m.nmseUncentered,
    meanL0: m.meanL0,
    nDead: m.nDead,
    width,
    density: densityToHistogram(m.featureDensity),
    fvuInterval: fvuCi,
  };
}

/** The A side of a decoder comparison (A = the delta SAE's rows), with a bootstrap interval of the mean. */
export function cosineSummary(c: DecoderComparison, resamples: number, seed: number): CosineSummary {
  const values = c.maxCosA;
  let interval: [number, number] | null = null;
  if (resamples >= 10 && values.length >= 4) {
    const ci = bootstrapCi(values.length, (idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += values[idx[i]];
      return s / idx.length;
    }, { resamples, seed });
    interval = [ci.lo, ci.hi];
  }
  const frac = Object.fromEntries(MATCH_THRESHOLDS.map((t) => [String(t), c.fracAAbove[String(t)] ?? 0]));
  return {
    meanMaxCos: c.meanMaxCosA,
    interval,
    fracAbove: { '0.5': frac['0.5'], '0.7': frac['0.7'], '0.9': frac['0.9'] },
    histogram: binLinear(values, 0, 1, COSINE_BINS),
  };
}
