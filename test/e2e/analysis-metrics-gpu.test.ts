import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { maxAbsError } from '../helpers/assert.js';
import { fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

const FIX = path.resolve(import.meta.dirname, '../../../shared/fixtures');

describe('deltascope metrics --gpu (headless Chromium, the GPU paths)', () => {
  it('decoder geometry matches fixtures/metrics within the GPU tolerances', async () => {
    const r = runCli(['metrics', '--gpu', '--decoders', `${FIX}/metrics/A.npy`, `${FIX}/metrics/B.npy`, '--k', '8,16']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { max_cos_A: number[]; max_cos_B: number[]; frac_A_max_cos_above: Record<string, number>; principal_angles: Record<string, number[]> };
    const ref = await fixtureJsonFile<{ frac_A_max_cos_above: Record<string, number> }>('metrics/metrics.json');
    expect(maxAbsError(out.max_cos_A, (await fixtureNpy('metrics/max_cos_A.npy')).data)).toBeLessThanOrEqual(TOL.cosine);
    expect(maxAbsError(out.max_cos_B, (await fixtureNpy('metrics/max_cos_B.npy')).data)).toBeLessThanOrEqual(TOL.cosine);
    expect(out.frac_A_max_cos_above).toEqual(ref.frac_A_max_cos_above);
    for (const k of ['8', '16']) expect(maxAbsError(out.principal_angles[k], (await fixtureNpy(`metrics/principal_angles_k${k}.npy`)).data)).toBeLessThanOrEqual(TOL.gpuMetrics);
  });

  it('CKA matches the fixture pair, and a bad file exits 2 naming it', async () => {
    const r = runCli(['metrics', '--gpu', '--cka', `${FIX}/metrics/cka_synthetic_X.npy`, `${FIX}/metrics/cka_synthetic_Y.npy`]);
    expect(r.status, r.stderr).toBe(0);
    const ref = await fixtureJsonFile<{ cka: Record<string, { linear_cka: number }> }>('metrics/metrics.json');
    expect(Math.abs((JSON.parse(r.stdout) as { linear_cka: number }).linear_cka - ref.cka.synthetic.linear_cka)).toBeLessThanOrEqual(TOL.gpuMetrics);
    const bad = runCli(['metrics', '--gpu', '--cka', `${FIX}/metrics/cka_synthetic_X.npy`, `${FIX}/metrics/A.npy`]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('A.npy');
  });
});
