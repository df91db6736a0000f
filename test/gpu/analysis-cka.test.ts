import { describe, expect, it } from 'vitest';
import { linearCkaGpu } from '../../src/analysis/index.js';
import { testGpu } from '../helpers/gpu.js';
import { debiasedCkaRef } from '../ref/analysis-cka.js';
import { fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

describe('linear CKA with the products on the GPU (fixtures/metrics)', () => {
  for (const pair of ['synthetic', 'delta_r8_vs_r16_layer1', 'base_vs_r32_last_layer']) {
    it(`${pair}: matches the reference within 1e-4 (chunks of 37 rows) and CKA(X, X) = 1`, async () => {
      const gpu = await testGpu();
      const [x, y, json] = await Promise.all([
        fixtureNpy(`metrics/cka_${pair}_X.npy`),
        fixtureNpy(`metrics/cka_${pair}_Y.npy`),
        fixtureJsonFile<{ cka: Record<string, { linear_cka: number }> }>('metrics/metrics.json'),
      ]);
      expect(Math.abs((await linearCkaGpu(gpu, x, y, { chunkRows: 37 })) - json.cka[pair].linear_cka)).toBeLessThanOrEqual(TOL.gpuMetrics);
      expect(Math.abs((await linearCkaGpu(gpu, x, x)) - 1)).toBeLessThanOrEqual(TOL.gpuMetrics);
    });
  }

  it('the debiased estimator matches the U-statistic HSIC reference', async () => {
    const gpu = await testGpu();
    const [x, y] = await Promise.all([fixtureNpy('metrics/cka_synthetic_X.npy'), fixtureNpy('metrics/cka_synthetic_Y.npy')]);
    const ref = debiasedCkaRef(x.data, y.data, x.rows, x.cols, y.cols);
    expect(Math.abs((await linearCkaGpu(gpu, x, y, { debiased: true })) - ref)).toBeLessThanOrEqual(TOL.gpuMetrics);
  });
});
