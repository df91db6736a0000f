import { describe, expect, it } from 'vitest';
import { densityHistogram, encodeSae, evaluateSae, type SaeDictionary } from '../../src/analysis/index.js';
import { expectRel } from '../helpers/assert.js';
import { fixtureGemmaScopeSae, fixtureJsonFile, fixtureNpy, fixtureSaeLensSae } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

interface SaeMetricsJson {
  mse: number;
  sse_per_token: number;
  fvu: number;
  nmse_uncentered: number;
  explained_variance: number;
  mean_l0: number;
  n_dead_features: number;
  mean_density: number;
}

const rel = (got: number, ref: number) => Math.abs(got - ref) / Math.abs(ref);

async function checkAgainstFixture(sae: SaeDictionary, what: string): Promise<void> {
  const [x, acts, recon, pre, l0, density, json] = await Promise.all([
    fixtureNpy('sae/input.npy'),
    fixtureNpy('sae/acts.npy'),
    fixtureNpy('sae/recon.npy'),
    fixtureNpy('sae/pre_acts.npy'),
    fixtureNpy('sae/l0_per_token.npy'),
    fixtureNpy('sae/feature_density.npy'),
    fixtureJsonFile<SaeMetricsJson>('sae/metrics.json'),
  ]);
  const out = encodeSae(sae, x.data, x.rows);
  expectRel(out.pre, pre.data, TOL.saeActs, `${what} pre_acts`);
  expectRel(out.acts, acts.data, TOL.saeActs, `${what} acts`);
  expectRel(out.recon, recon.data, TOL.saeActs, `${what} recon`);
  const support = (a: ArrayLike<number>) => Array.from(a, (v) => (v !== 0 ? 1 : 0));
  expect(support(out.acts)).toEqual(support(acts.data));

  const m = evaluateSae(sae, x.data, x.rows);
  expect(rel(m.mse, json.mse)).toBeLessThanOrEqual(TOL.saeMetrics);
  expect(rel(m.ssePerToken, json.sse_per_token)).toBeLessThanOrEqual(TOL.saeMetrics);
  expect(rel(m.fvu, json.fvu)).toBeLessThanOrEqual(TOL.saeMetrics);
  expect(rel(m.explainedVariance, json.explained_variance)).toBeLessThanOrEqual(TOL.saeMetrics);
  expect(rel(m.nmseUncentered, json.nmse_uncentered)).toBeLessThanOrEqual(TOL.saeMetrics);
  expect(m.meanL0).toBe(json.mean_l0);
  expect(m.nDead).toBe(json.n_dead_features);
  expect(rel(m.meanDensity, json.mean_density)).toBeLessThanOrEqual(1e-12);
  expect(Array.from(m.l0PerToken)).toEqual(Array.from(l0.data));
  // feature_density.npy is float32: compare our float64 densities after the same rounding.
  expect(Array.from(m.featureDensity, Math.fround)).toEqual(Array.from(density.data));
  const hist = densityHistogram(m.featureDensity, 20, -3);
  expect(hist.dead).toBe(json.n_dead_features);
  expect(hist.counts.reduce((a, b) => a + b, 0)).toBe(sae.dSae - json.n_dead_features);
}

describe('SAE encode/decode and reconstruction metrics, CPU float64 (fixtures/sae)', () => {
  it('the Gemma Scope npz reproduces pre_acts, acts (support exactly), recon and metrics.json', async () => {
    await checkAgainstFixture(await fixtureGemmaScopeSae(), 'npz');
  });

  it('the SAELens copy gives the same numbers', async () => {
    await checkAgainstFixture(await fixtureSaeLensSae(), 'saelens');
  });
});

describe('ReLU and TopK SAEs with b_dec subtracted from the input, CPU float64', () => {
  for (const arch of ['relu', 'topk'] as const) {
    it(`${arch}: metrics equal the float64 reference written from the formulas`, async () => {
      const { saeMetricsRef } = await import('../ref/analysis-sae.js');
      const { randomArray } = await import('../helpers/assert.js');
      const d = 24;
      const m = 70;
      const n = 37;
      const sae: SaeDictionary = {
        architecture: arch,
        dIn: d,
        dSae: m,
        W_enc: randomArray(d * m, 1),
        W_dec: randomArray(m * d, 2),
        b_enc: Float32Array.from(randomArray(m, 3), (v) => v * 0.3),
        b_dec: randomArray(d, 4),
        ...(arch === 'topk' ? { k: 6 } : {}),
        applyBDecToInput: true,
        normalizeActivations: 'none',
      };
      const x = randomArray(n * d, 5);
      const got = evaluateSae(sae, x, n);
      const ref = saeMetricsRef({ arch, d, m, W_enc: sae.W_enc, W_dec: sae.W_dec, b_enc: sae.b_enc, b_dec: sae.b_dec, k: sae.k, applyBDec: true }, x, n);
      expect(rel(got.mse, ref.mse)).toBeLessThanOrEqual(1e-12);
      expect(rel(got.fvu, ref.fvu)).toBeLessThanOrEqual(1e-12);
      expect(rel(got.nmseUncentered, ref.nmseUncentered)).toBeLessThanOrEqual(1e-12);
      expect(Array.from(got.l0PerToken)).toEqual(Array.from(ref.l0));
      expect(got.nDead).toBe(ref.nDead);
      if (arch === 'topk') for (const v of got.l0PerToken) expect(v).toBeLessThanOrEqual(6);
    });
  }
});

describe('difference of reconstructions and bootstrap intervals', () => {
  it('SAE(ft) − SAE(base) against ft − base matches the reference formula', async () => {
    const { saeMetricsRef } = await import('../ref/analysis-sae.js');
    const { evaluateSaeDifference } = await import('../../src/analysis/index.js');
    const sae = await fixtureGemmaScopeSae();
    const delta = await fixtureNpy('sae/input.npy');
    const n = delta.rows;
    const d = sae.dIn;
    const base = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37) * 2);
    const ft = Float32Array.from(base, (v, i) => v + delta.data[i]);
    const ref = { arch: 'jumprelu' as const, d, m: sae.dSae, W_enc: sae.W_enc, W_dec: sae.W_dec, b_enc: sae.b_enc, b_dec: sae.b_dec, threshold: sae.threshold };
    const rf = saeMetricsRef(ref, ft, n);
    const rb = saeMetricsRef(ref, base, n);
    let sse = 0;
    let sq = 0;
    for (let i = 0; i < n * d; i++) {
      const x = ft[i] - base[i];
      sse += (x - (rf.recon[i] - rb.recon[i])) ** 2;
      sq += x * x;
    }
    const got = evaluateSaeDifference(sae, ft, base, n);
    expect(rel(got.mse, sse / (n * d))).toBeLessThanOrEqual(1e-12);
    expect(rel(got.nmseUncentered, sse / sq)).toBeLessThanOrEqual(1e-12);
    expect(Array.from(got.l0PerToken)).toEqual(Array.from(rf.l0));
  });

  it('bootstrap intervals of MSE and FVU bracket the point estimates of metrics.json', async () => {
    const { bootstrapReconstruction } = await import('../../src/analysis/index.js');
    const sae = await fixtureGemmaScopeSae();
    const x = await fixtureNpy('sae/input.npy');
    const m = evaluateSae(sae, x.data, x.rows);
    const ci = bootstrapReconstruction(m.sseRows, x.data, sae.dIn, { resamples: 300, seed: 1 });
    expect(rel(ci.mse.estimate, m.mse)).toBeLessThanOrEqual(1e-12);
    expect(rel(ci.fvu.estimate, m.fvu)).toBeLessThanOrEqual(1e-12);
    expect(ci.mse.lo).toBeLessThan(m.mse);
    expect(ci.mse.hi).toBeGreaterThan(m.mse);
    expect(ci.fvu.lo).toBeLessThan(m.fvu);
    expect(ci.fvu.hi).toBeGreaterThan(m.fvu);
  });
});
