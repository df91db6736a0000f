import { describe, expect, it } from 'vitest';
import { principalAngles, topRightSingularVectors } from '../../src/analysis/index.js';
import { randomizedTopSubspaceGpu } from '../../src/analysis/gpu/randomized-svd.js';
import { rowMatrix } from '../../src/analysis/gpu/row-source.js';
import { maxAbsError } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

describe('randomised SVD on the GPU (fixtures/metrics)', () => {
  for (const [label, opts] of [
    ['A resident on the GPU', {}],
    ['A streamed in chunks of 50 rows', { chunkRows: 50, residentBytes: 0 }],
  ] as const) {
    it(`principal angles k = 8 and 16 match the reference within 1e-4 rad (${label})`, async () => {
      const gpu = await testGpu();
      const [a, b] = await Promise.all([fixtureNpy('metrics/A.npy'), fixtureNpy('metrics/B.npy')]);
      const sa = await randomizedTopSubspaceGpu(gpu, rowMatrix(a.data as Float32Array, a.rows, a.cols), 16, { ...opts, seed: 1 });
      const sb = await randomizedTopSubspaceGpu(gpu, rowMatrix(b.data as Float32Array, b.rows, b.cols), 16, { ...opts, seed: 2 });
      const refSa = (await fixtureNpy('metrics/singular_values_A.npy')).data;
      expect(maxAbsError(sa.singularValues, Array.from(refSa).slice(0, 16)) / refSa[0]).toBeLessThanOrEqual(TOL.gpuMetrics);
      for (const k of [8, 16]) {
        const take = (m: typeof sa.v) => ({ rows: m.rows, cols: k, data: Float64Array.from({ length: m.rows * k }, (_, i) => m.data[Math.floor(i / k) * m.cols + (i % k)]) });
        const got = principalAngles(take(sa.v), take(sb.v));
        const ref = await fixtureNpy(`metrics/principal_angles_k${k}.npy`);
        expect(maxAbsError(got.angles, ref.data), `k=${k}`).toBeLessThanOrEqual(TOL.gpuMetrics);
      }
    });
  }

  it('agrees with the exact CPU subspace on a tall matrix when l < d (the sketch is what is being tested)', async () => {
    const gpu = await testGpu();
    const a = await fixtureNpy('metrics/A.npy');
    const exact = topRightSingularVectors(a, 4).v;
    const got = await randomizedTopSubspaceGpu(gpu, rowMatrix(a.data as Float32Array, a.rows, a.cols), 4, { oversample: 8, seed: 3 });
    expect(got.iterations).toBeGreaterThan(1);
    expect(Math.max(...principalAngles(exact, got.v).angles)).toBeLessThanOrEqual(TOL.gpuMetrics);
  });
});
