import { describe, expect, it } from 'vitest';
import { decoderPrincipalAngles, fractionAbove, linearCka, maxCosine, mean } from '../../src/analysis/index.js';
import { maxAbsError } from '../helpers/assert.js';
import { fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

interface MetricsJson {
  mean_max_cos_A: number;
  mean_max_cos_B: number;
  frac_A_max_cos_above: Record<string, number>;
  cka: Record<string, { linear_cka: number }>;
}

describe('decoder geometry, CPU float64 (fixtures/metrics)', () => {
  it('max cosine both ways matches max_cos_A/B within 1e-6 and argmax exactly', async () => {
    const [a, b, refA, refB, argA, argB, json] = await Promise.all([
      fixtureNpy('metrics/A.npy'),
      fixtureNpy('metrics/B.npy'),
      fixtureNpy('metrics/max_cos_A.npy'),
      fixtureNpy('metrics/max_cos_B.npy'),
      fixtureNpy('metrics/argmax_A.npy'),
      fixtureNpy('metrics/argmax_B.npy'),
      fixtureJsonFile<MetricsJson>('metrics/metrics.json'),
    ]);
    const got = maxCosine(a, b);
    expect(maxAbsError(got.maxCosA, refA.data)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(maxAbsError(got.maxCosB, refB.data)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(Array.from(got.argmaxA)).toEqual(Array.from(argA.data));
    expect(Array.from(got.argmaxB)).toEqual(Array.from(argB.data));
    expect(Math.abs(mean(got.maxCosA) - json.mean_max_cos_A)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(Math.abs(mean(got.maxCosB) - json.mean_max_cos_B)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(fractionAbove(got.maxCosA)).toEqual(json.frac_A_max_cos_above);
  });

  it('principal angles for k = 8 and 16 match within 1e-6 rad, ascending', async () => {
    const [a, b] = await Promise.all([fixtureNpy('metrics/A.npy'), fixtureNpy('metrics/B.npy')]);
    const got = decoderPrincipalAngles(a, b, [8, 16]);
    for (const k of [8, 16]) {
      const ref = await fixtureNpy(`metrics/principal_angles_k${k}.npy`);
      const refCos = await fixtureNpy(`metrics/principal_cos_k${k}.npy`);
      const pa = got.get(k);
      expect(pa).toBeDefined();
      expect(maxAbsError(pa!.angles, ref.data), `k=${k} angles`).toBeLessThanOrEqual(TOL.cpuMetrics);
      expect(maxAbsError(pa!.cosines, refCos.data), `k=${k} cosines`).toBeLessThanOrEqual(TOL.cpuMetrics);
    }
  });
});

describe('linear CKA, CPU float64 (fixtures/metrics)', () => {
  for (const pair of ['synthetic', 'delta_r8_vs_r16_layer1', 'base_vs_r32_last_layer']) {
    it(`${pair}: both forms match the reference within 1e-6 and CKA(X, X) = 1`, async () => {
      const [x, y, json] = await Promise.all([
        fixtureNpy(`metrics/cka_${pair}_X.npy`),
        fixtureNpy(`metrics/cka_${pair}_Y.npy`),
        fixtureJsonFile<MetricsJson>('metrics/metrics.json'),
      ]);
      const ref = json.cka[pair].linear_cka;
      expect(Math.abs(linearCka(x, y, { form: 'feature' }) - ref)).toBeLessThanOrEqual(TOL.cpuMetrics);
      expect(Math.abs(linearCka(x, y, { form: 'gram' }) - ref)).toBeLessThanOrEqual(TOL.cpuMetrics);
      expect(Math.abs(linearCka(x, y) - ref)).toBeLessThanOrEqual(TOL.cpuMetrics);
      expect(linearCka(x, x)).toBeCloseTo(1, 12);
    });
  }
});

describe('debiased linear CKA', () => {
  it('matches the U-statistic HSIC reference in both forms', async () => {
    const { debiasedCkaRef } = await import('../ref/analysis-cka.js');
    const [x, y] = await Promise.all([fixtureNpy('metrics/cka_synthetic_X.npy'), fixtureNpy('metrics/cka_synthetic_Y.npy')]);
    const ref = debiasedCkaRef(x.data, y.data, x.rows, x.cols, y.cols);
    expect(Math.abs(linearCka(x, y, { debiased: true, form: 'feature' }) - ref)).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(linearCka(x, y, { debiased: true, form: 'gram' }) - ref)).toBeLessThanOrEqual(1e-10);
    expect(linearCka(x, x, { debiased: true })).toBeCloseTo(1, 10);
  });
});
