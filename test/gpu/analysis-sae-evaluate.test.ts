import { describe, expect, it } from 'vitest';
import { evaluateSaeGpu } from '../../src/analysis/gpu/sae-evaluate.js';
import { rowMatrix } from '../../src/analysis/gpu/row-source.js';
import type { SaeDictionary } from '../../src/analysis/index.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureGemmaScopeSae, fixtureJsonFile, fixtureNpy, fixtureSaeLensSae } from '../ref/analysis-load.js';
import { saeMetricsRef } from '../ref/analysis-sae.js';
import { TOL } from '../tolerances.js';

const rel = (got: number, ref: number) => Math.abs(got - ref) / Math.abs(ref);

describe('SAE evaluation on the GPU (fixtures/sae)', () => {
  for (const [label, load] of [['Gemma Scope npz', fixtureGemmaScopeSae], ['SAELens copy', fixtureSaeLensSae]] as const) {
    it(`${label}: mse, fvu, nmse within 1e-5, L0 per token, density and dead count exactly (batches of 40 tokens)`, async () => {
      const gpu = await testGpu();
      const [sae, x, l0, density, json] = await Promise.all([
        load(),
        fixtureNpy('sae/input.npy'),
        fixtureNpy('sae/l0_per_token.npy'),
        fixtureNpy('sae/feature_density.npy'),
        fixtureJsonFile<{ mse: number; fvu: number; nmse_uncentered: number; mean_l0: number; n_dead_features: number }>('sae/metrics.json'),
      ]);
      const m = await evaluateSaeGpu(gpu, sae, rowMatrix(x.data as Float32Array, x.rows, x.cols), { batchRows: 40 });
      expect(rel(m.mse, json.mse)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(rel(m.fvu, json.fvu)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(rel(m.nmseUncentered, json.nmse_uncentered)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(m.meanL0).toBe(json.mean_l0);
      expect(m.nDead).toBe(json.n_dead_features);
      expect(Array.from(m.l0PerToken)).toEqual(Array.from(l0.data));
      expect(Array.from(m.featureDensity, Math.fround)).toEqual(Array.from(density.data));
    });
  }

  for (const arch of ['relu', 'topk'] as const) {
    it(`${arch} with b_dec subtracted from the input matches the float64 reference`, async () => {
      const gpu = await testGpu();
      const d = 24;
      const mLat = 70;
      const n = 37;
      const sae: SaeDictionary = {
        architecture: arch,
        dIn: d,
        dSae: mLat,
        W_enc: randomArray(d * mLat, 1),
        W_dec: randomArray(mLat * d, 2),
        b_enc: Float32Array.from(randomArray(mLat, 3), (v) => v * 0.3),
        b_dec: randomArray(d, 4),
        ...(arch === 'topk' ? { k: 6 } : {}),
        applyBDecToInput: true,
        normalizeActivations: 'none',
      };
      const x = randomArray(n * d, 5);
      const got = await evaluateSaeGpu(gpu, sae, rowMatrix(x, n, d), { batchRows: 16 });
      const ref = saeMetricsRef({ arch, d, m: mLat, W_enc: sae.W_enc, W_dec: sae.W_dec, b_enc: sae.b_enc, b_dec: sae.b_dec, k: sae.k, applyBDec: true }, x, n);
      expect(rel(got.mse, ref.mse)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(rel(got.fvu, ref.fvu)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(rel(got.nmseUncentered, ref.nmseUncentered)).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(Array.from(got.l0PerToken)).toEqual(Array.from(ref.l0));
      expect(Array.from(got.featureDensity)).toEqual(Array.from(ref.density));
    });
  }
});
