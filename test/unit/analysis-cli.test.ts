import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { maxAbsError } from '../helpers/assert.js';
import { fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

const FIX = path.resolve(import.meta.dirname, '../../../shared/fixtures');

function json(args: string[]): Record<string, unknown> {
  const r = runCli(args);
  expect(r.stderr, r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('deltascope metrics / compare against the fixtures', () => {
  it('metrics --decoders prints max cosines, fractions and ascending principal angles matching fixtures/metrics', async () => {
    const out = json(['metrics', '--decoders', `${FIX}/metrics/A.npy`, `${FIX}/metrics/B.npy`, '--k', '8,16']) as {
      max_cos_A: number[];
      max_cos_B: number[];
      mean_max_cos_A: number;
      mean_max_cos_B: number;
      frac_A_max_cos_above: Record<string, number>;
      principal_angles: Record<string, number[]>;
    };
    const ref = await fixtureJsonFile<{ mean_max_cos_A: number; mean_max_cos_B: number; frac_A_max_cos_above: Record<string, number> }>('metrics/metrics.json');
    expect(maxAbsError(out.max_cos_A, (await fixtureNpy('metrics/max_cos_A.npy')).data)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(maxAbsError(out.max_cos_B, (await fixtureNpy('metrics/max_cos_B.npy')).data)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(Math.abs(out.mean_max_cos_A - ref.mean_max_cos_A)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(Math.abs(out.mean_max_cos_B - ref.mean_max_cos_B)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(out.frac_A_max_cos_above).toEqual(ref.frac_A_max_cos_above);
    for (const k of ['8', '16']) expect(maxAbsError(out.principal_angles[k], (await fixtureNpy(`metrics/principal_angles_k${k}.npy`)).data)).toBeLessThanOrEqual(TOL.cpuMetrics);
  });

  it('metrics --cka prints linear_cka matching each fixture pair', async () => {
    const ref = await fixtureJsonFile<{ cka: Record<string, { linear_cka: number }> }>('metrics/metrics.json');
    for (const pair of ['synthetic', 'delta_r8_vs_r16_layer1', 'base_vs_r32_last_layer']) {
      const out = json(['metrics', '--cka', `${FIX}/metrics/cka_${pair}_X.npy`, `${FIX}/metrics/cka_${pair}_Y.npy`]) as { linear_cka: number };
      expect(Math.abs(out.linear_cka - ref.cka[pair].linear_cka), pair).toBeLessThanOrEqual(TOL.cpuMetrics);
    }
  });

  it('compare gives metrics.json for the npz and the SAELens copy alike, and geometry for the pair', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deltascope-compare-'));
    const out = json(['compare', '--sae', `${FIX}/sae/params.npz`, '--sae', `${FIX}/sae/saelens`, '--data', `${FIX}/sae/input.npy`, '--out', dir]) as {
      saes: { mse: number; fvu: number; nmse_uncentered: number; mean_l0: number; n_dead: number; feature_density: number[] }[];
      geometry: { mean_max_cos_A: number; principal_angles: Record<string, number[]> };
    };
    const ref = await fixtureJsonFile<{ mse: number; fvu: number; nmse_uncentered: number; mean_l0: number; n_dead_features: number }>('sae/metrics.json');
    const density = (await fixtureNpy('sae/feature_density.npy')).data;
    expect(out.saes).toHaveLength(2);
    for (const s of out.saes) {
      expect(Math.abs(s.mse - ref.mse) / ref.mse).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(Math.abs(s.fvu - ref.fvu) / ref.fvu).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(Math.abs(s.nmse_uncentered - ref.nmse_uncentered) / ref.nmse_uncentered).toBeLessThanOrEqual(TOL.saeMetrics);
      expect(s.mean_l0).toBe(ref.mean_l0);
      expect(s.n_dead).toBe(ref.n_dead_features);
      expect(s.feature_density.map(Math.fround)).toEqual(Array.from(density));
    }
    expect(out.geometry.mean_max_cos_A).toBeCloseTo(1, 12);
    expect(Math.max(...out.geometry.principal_angles['16'])).toBeLessThan(1e-6);
  });

  it('bad input exits 2 with one line naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deltascope-bad-'));
    const bad = path.join(dir, 'not-an-array.npy');
    writeFileSync(bad, 'hello');
    const r = runCli(['metrics', '--decoders', `${FIX}/metrics/A.npy`, bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(bad);
    const mismatch = runCli(['compare', '--sae', `${FIX}/sae/params.npz`, '--data', `${FIX}/metrics/cka_synthetic_X.npy`]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain('cka_synthetic_X.npy');
  });
});
