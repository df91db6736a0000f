import { describe, expect, it } from 'vitest';
import { DOSE_ONSET_FRACTION, DOSE_RESPONSIVE_FRACTION, DOSE_TOP_LATENTS, doseLinearity, doseResponse } from '../../src/analysis/index.js';
import type { SaeWeights } from '../../src/formats/index.js';
import { randomArray } from '../helpers/assert.js';
import { linearityRef, meanLatentsRef, meanNormRef } from '../ref/dose.js';
import { TOL } from '../tolerances.js';

const ALPHAS = [0, 0.25, 0.5, 1, 1.5, 2];

describe('dose-response linearity score', () => {
  it('is 0 with onset 0.5 for a response proportional to α, whatever the response at α = 0', () => {
    const r = doseLinearity(ALPHAS, ALPHAS.map((a) => 0.3 + 2 * a));
    expect(r.slope).toBeCloseTo(2, 12);
    expect(r.linearity).toBeCloseTo(0, 12);
    expect(r.onset).toBe(0.5);
  });

  it('scores a threshold response far from linear, with its onset where it emerges', () => {
    const means = [0, 0, 0, 0, 1, 2];
    const ref = linearityRef(ALPHAS, means, DOSE_ONSET_FRACTION);
    const r = doseLinearity(ALPHAS, means);
    // by hand: c = (1.5 + 4) / 7.5625, residual = 5 − c·5.5
    expect(r.slope).toBeCloseTo(5.5 / 7.5625, 12);
    expect(r.linearity).toBeCloseTo(ref.linearity, 12);
    expect(r.linearity).toBeCloseTo((5 - (5.5 * 5.5) / 7.5625) / 5, 12);
    expect(r.onset).toBe(1.5);
  });

  it('is 0 with no onset for a latent that never changes, and follows the sign of a falling latent', () => {
    expect(doseLinearity(ALPHAS, ALPHAS.map(() => 0.7))).toEqual({ slope: 0, linearity: 0, onset: null });
    const falling = doseLinearity(ALPHAS, ALPHAS.map((a) => 1 - 0.4 * a * a));
    expect(falling.onset).toBe(linearityRef(ALPHAS, ALPHAS.map((a) => 1 - 0.4 * a * a), DOSE_ONSET_FRACTION).onset);
    expect(falling.slope).toBeLessThan(0);
  });
});

describe('dose-response of one (adapter, layer) against a float64 reference', () => {
  const d = 24;
  const m = 40;
  const rows = 37;
  const sae: SaeWeights = {
    architecture: 'relu',
    dIn: d,
    dSae: m,
    W_enc: randomArray(d * m, 7),
    W_dec: randomArray(m * d, 8),
    b_enc: randomArray(m, 9).map((v) => v * 0.8 - 0.3),
    b_dec: new Float32Array(d),
    applyBDecToInput: false,
    normalizeActivations: 'none',
    source: 'test',
  };
  // a delta proportional to α plus a direction that switches on past α = 1: responses from proportional to threshold-like
  const base = randomArray(rows * d, 11);
  const turn = randomArray(rows * d, 12);
  const deltas = ALPHAS.map((a) => (a === 0 ? null : base.map((v, i) => 0.5 * a * v + 3 * Math.max(0, a - 1) * turn[i])));

  it('matches norms, latent means, linearity and onset; reports the strongest latents and a histogram of all responsive ones', () => {
    const got = doseResponse(sae, { alphas: ALPHAS, deltas, rows, d }, { layer: 3, adapter: 'r8', sequences: 2 });
    const zero = new Float64Array(d);
    const ref = { d, m, W_enc: sae.W_enc, b_enc: sae.b_enc };
    const means = ALPHAS.map((_, k) => (deltas[k] ? meanLatentsRef(ref, deltas[k]!, rows) : meanLatentsRef(ref, zero, 1)));
    const norms = ALPHAS.map((_, k) => (deltas[k] ? meanNormRef(deltas[k]!, rows, d) : 0));
    for (let k = 0; k < ALPHAS.length; k++) expect(Math.abs(got.meanDeltaNorm[k] - norms[k])).toBeLessThanOrEqual(TOL.cpuMetrics * norms[ALPHAS.length - 1]);
    const strength = Array.from({ length: m }, (_, j) => Math.max(...means.map((a) => Math.abs(a[j] - means[0][j]))));
    const strongest = Math.max(...strength);
    const responsive = strength.map((s, j) => [s, j]).filter(([s]) => s >= DOSE_RESPONSIVE_FRACTION * strongest);
    const top = responsive.sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, DOSE_TOP_LATENTS).map(([, j]) => j);
    expect(got.responsive).toBe(responsive.length);
    expect(got.latents.map((l) => l.latent)).toEqual(top);
    const scores: number[] = [];
    for (let j = 0; j < m; j++) if (strength[j] >= DOSE_RESPONSIVE_FRACTION * strongest) scores.push(linearityRef(ALPHAS, means.map((a) => a[j]), DOSE_ONSET_FRACTION).linearity);
    for (const l of got.latents) {
      const want = means.map((a) => a[l.latent]);
      for (let k = 0; k < ALPHAS.length; k++) expect(Math.abs(l.means[k] - want[k])).toBeLessThanOrEqual(TOL.cpuMetrics * Math.max(1, Math.abs(want[k])));
      const ref = linearityRef(ALPHAS, want, DOSE_ONSET_FRACTION);
      expect(Math.abs(l.linearity - ref.linearity)).toBeLessThanOrEqual(TOL.cpuMetrics);
      expect(Math.abs(l.slope - ref.slope)).toBeLessThanOrEqual(TOL.cpuMetrics * Math.max(1, Math.abs(ref.slope)));
      expect(l.onset).toBe(ref.onset);
    }
    expect(got.linearity.counts).toEqual(Array.from({ length: 10 }, (_, b) => scores.filter((s) => Math.min(9, Math.floor(s * 10)) === b).length));
    // the test data spans both kinds of response
    const scoresShown = got.latents.map((l) => l.linearity);
    expect(Math.max(...scoresShown) - Math.min(...scoresShown)).toBeGreaterThan(0.1);
    expect(got.tokens).toBe(rows);
  });
});
