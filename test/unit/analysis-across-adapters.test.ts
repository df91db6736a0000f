import { describe, expect, it } from 'vitest';
import { crossDictionaryCosines, dictionaryCosines, directionCosines } from '../../src/analysis/index.js';
import { fixtureGemmaScopeSae, fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { cosineRef, meanBestCosineRef, meanDeltaRef } from '../ref/across-adapters.js';
import { TOL } from '../tolerances.js';

const ADAPTERS = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];

describe('across adapters, CPU float64 (fixture deltas, decoders and SAE)', () => {
  it('the dictionary matrix is the directed mean best cosine: fixtures/metrics A→B and B→A, and a float64 brute force for the SAE decoder', async () => {
    const [a, b, sae] = await Promise.all([fixtureNpy('metrics/A.npy'), fixtureNpy('metrics/B.npy'), fixtureGemmaScopeSae()]);
    const json = await fixtureJsonFile<{ mean_max_cos_A: number; mean_max_cos_B: number }>('metrics/metrics.json');
    const dec = { rows: sae.dSae, cols: sae.dIn, data: sae.W_dec };
    const mats = [a, b, dec];
    const m = dictionaryCosines(mats);
    expect(Math.abs(m[0][1] - json.mean_max_cos_A)).toBeLessThanOrEqual(TOL.cpuMetrics);
    expect(Math.abs(m[1][0] - json.mean_max_cos_B)).toBeLessThanOrEqual(TOL.cpuMetrics);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const want = i === j ? 1 : meanBestCosineRef(mats[i].data, mats[i].rows, mats[j].data, mats[j].rows, 64);
        expect(Math.abs(m[i][j] - want), `m[${i}][${j}]`).toBeLessThanOrEqual(TOL.cpuMetrics);
      }
    }
    // directed: A's 256 rows against B's 192 differ from the reverse
    expect(Math.abs(m[0][1] - m[1][0])).toBeGreaterThan(0.04);
  });

  it('the cross-seed dictionary matrix compares every row dictionary with every column dictionary, diagonal included (float64 brute force)', async () => {
    const [a, b, sae] = await Promise.all([fixtureNpy('metrics/A.npy'), fixtureNpy('metrics/B.npy'), fixtureGemmaScopeSae()]);
    const dec = { rows: sae.dSae, cols: sae.dIn, data: sae.W_dec };
    const rows = [a, b];
    const cols = [b, dec];
    const m = crossDictionaryCosines(rows, cols);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const want = meanBestCosineRef(rows[i].data, rows[i].rows, cols[j].data, cols[j].rows, 64);
        expect(Math.abs(m[i][j] - want), `m[${i}][${j}]`).toBeLessThanOrEqual(TOL.cpuMetrics);
      }
    }
    expect(Math.abs(m[0][0] - (await fixtureJsonFile<{ mean_max_cos_A: number }>('metrics/metrics.json')).mean_max_cos_A)).toBeLessThanOrEqual(TOL.cpuMetrics);
  });

  it('the direction matrix is the cosine between the fixture adapters’ mean deltas over non-BOS tokens, symmetric with unit diagonal', async () => {
    const deltas = await Promise.all(ADAPTERS.map((n) => fixtureNpy(`reference/adapters/${n}/delta.npy`)));
    for (let layer = 0; layer < 4; layer++) {
      const means = deltas.map((d) => meanDeltaRef(d.data.subarray(layer * 96 * 64, (layer + 1) * 96 * 64), 4, 24, 64));
      const m = directionCosines(means);
      for (let i = 0; i < ADAPTERS.length; i++) {
        for (let j = 0; j < ADAPTERS.length; j++) expect(Math.abs(m[i][j] - cosineRef(means[i], means[j])), `layer ${layer} ${ADAPTERS[i]}·${ADAPTERS[j]}`).toBeLessThanOrEqual(1e-12);
        expect(m[i][i]).toBe(1);
      }
    }
    expect(directionCosines([[0, 0], [1, 0]])).toEqual([[0, 0], [0, 1]]);
  });
});
