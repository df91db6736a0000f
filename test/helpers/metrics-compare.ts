import type { ResultMetrics } from '../../src/formats/index.js';
import { TOL } from '../tolerances.js';

/**
 * Differences between two bundles' metrics beyond the fixtures README §8 tolerances, as readable lines
 * (empty = they agree). Counts (of tokens, latents, histogram bins, fractions above a cosine) must agree
 * exactly; numbers arrays are compared as §8 does, max|got − ref| / max|ref| over the whole array.
 */

/** Relative tolerance per metrics section: what §8 allows for the quantity that section is computed from. */
const SECTION_TOL: Record<keyof ResultMetrics, number> = {
  model: 0,
  adapters: 0,
  layers: 0,
  deltaNorms: TOL.heatmap,
  // Losses and everything measured with a trained SAE inherit the training tolerance (loss[t], final parameters).
  training: TOL.trainLoss,
  reconstruction: TOL.params,
  alignment: TOL.params,
  principalAngles: TOL.params,
  cka: TOL.cka,
  weightSpace: TOL.params,
  // z-scores of the mean delta read through the unembedding: a GPU metric of the forward pass.
  lens: TOL.gpuMetrics,
  // mean latent activations of the α-scaled deltas under a trained delta SAE
  dose: TOL.params,
  // mean norms of the forward pass's LoRA terms, like the delta-norm heatmap
  localWrites: TOL.heatmap,
  // mean-delta cosines and dictionaries of trained SAEs
  acrossAdapters: TOL.params,
  // per-latent statistics of a trained delta SAE
  latents: TOL.params,
};

/** Sections added in bundle version 3: a shipped bundle written before them holds none, and is not compared there. */
const SINCE_V3 = new Set<keyof ResultMetrics>(['dose', 'localWrites', 'acrossAdapters', 'latents']);

/** Keys whose numbers are counts or discrete decisions (§8: "exact"). */
const EXACT = new Set(['tokens', 'nDead', 'width', 'counts', 'rank', 'modules', 'step', 'seed', 'layer', 'k', 'hiddenSize', 'numLayers', 'vocabSize', '0.5', '0.7', '0.9', 'id', 'position', 'latent', 'responsive', 'sequences', 'onset', 'alphas', 'sequence', 'start', 'index', 'nearest', 'ids']);

function compare(got: unknown, want: unknown, path: string, tol: number, out: string[]): void {
  if (typeof want === 'number') {
    const key = path.split('.').pop() ?? '';
    const exact = tol === 0 || EXACT.has(key.replace(/\[\d+\]$/, ''));
    const ok = typeof got === 'number' && (exact ? got === want : Math.abs(got - want) <= tol * Math.max(Math.abs(want), Number.MIN_VALUE));
    if (!ok) out.push(`${path}: got ${String(got)}, shipped ${want}${exact ? ' (exact)' : ` (rel ${tol})`}`);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      out.push(`${path}: got ${Array.isArray(got) ? got.length : typeof got} entries, shipped ${want.length}`);
      return;
    }
    const key = path.split('.').pop() ?? '';
    if (want.length && want.every((v) => typeof v === 'number') && !EXACT.has(key) && tol > 0) {
      const scale = Math.max(...want.map((v: number) => Math.abs(v)), Number.MIN_VALUE);
      const err = Math.max(0, ...want.map((v: number, i) => Math.abs((got[i] as number) - v)));
      if (!(err <= tol * scale)) out.push(`${path}: max|got − shipped| / max|shipped| = ${err / scale} > ${tol}`);
      return;
    }
    want.forEach((v, i) => compare(got[i], v, `${path}[${i}]`, tol, out));
    return;
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') {
      out.push(`${path}: got ${String(got)}, shipped an object`);
      return;
    }
    const g = got as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    const keys = new Set([...Object.keys(g), ...Object.keys(w)]);
    for (const k of keys) compare(g[k], w[k], `${path}.${k}`, tol, out);
    return;
  }
  if (got !== want) out.push(`${path}: got ${JSON.stringify(got)}, shipped ${JSON.stringify(want)}`);
}

export function metricsDifferences(got: ResultMetrics, shipped: ResultMetrics): string[] {
  const out: string[] = [];
  for (const key of Object.keys(SECTION_TOL) as (keyof ResultMetrics)[]) {
    const shippedValue = shipped[key];
    if (SINCE_V3.has(key) && Array.isArray(shippedValue) && shippedValue.length === 0) continue;
    compare(got[key], shippedValue, key, SECTION_TOL[key], out);
  }
  return out;
}
