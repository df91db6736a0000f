import { describe, expect, it } from 'vitest';
import { compareDecodersGpu, fractionAbove } from '../../src/analysis/index.js';
import { maxCosineGpu } from '../../src/analysis/gpu/decoder-cosine.js';
import { rowMatrix } from '../../src/analysis/gpu/row-source.js';
import { maxAbsError } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';
import { TOL } from '../tolerances.js';

describe('max cosine on the GPU (chunked, fixtures/metrics)', () => {
  for (const chunkRows of [4096, 64]) {
    it(`matches max_cos_A/B within 1e-5, argmax and the 0.5/0.7/0.9 fractions exactly (chunks of ${chunkRows} rows)`, async () => {
      const gpu = await testGpu();
      const [a, b, refA, refB, argA, argB, cos, json] = await Promise.all([
        fixtureNpy('metrics/A.npy'),
        fixtureNpy('metrics/B.npy'),
        fixtureNpy('metrics/max_cos_A.npy'),
        fixtureNpy('metrics/max_cos_B.npy'),
        fixtureNpy('metrics/argmax_A.npy'),
        fixtureNpy('metrics/argmax_B.npy'),
        fixtureNpy('metrics/cos_AB.npy'),
        fixtureJsonFile<{ frac_A_max_cos_above: Record<string, number> }>('metrics/metrics.json'),
      ]);
      const bins = 40;
      const got = await maxCosineGpu(gpu, rowMatrix(a.data as Float32Array, a.rows, a.cols), rowMatrix(b.data as Float32Array, b.rows, b.cols), { chunkRows, histogramBins: bins });
      expect(maxAbsError(got.maxCosA, refA.data)).toBeLessThanOrEqual(TOL.cosine);
      expect(maxAbsError(got.maxCosB, refB.data)).toBeLessThanOrEqual(TOL.cosine);
      expect(Array.from(got.argmaxA)).toEqual(Array.from(argA.data));
      expect(Array.from(got.argmaxB)).toEqual(Array.from(argB.data));
      expect(fractionAbove(got.maxCosA)).toEqual(json.frac_A_max_cos_above);
      const refHist = new Array<number>(bins).fill(0);
      for (const c of cos.data) refHist[Math.min(bins - 1, Math.max(0, Math.floor(((c + 1) / 2) * bins)))]++;
      expect(got.cosineHistogram?.reduce((s, v) => s + v, 0)).toBe(a.rows * b.rows);
      // Cosines within f32 noise of a bin edge may fall on either side of it.
      expect(maxAbsError(got.cosineHistogram ?? [], refHist)).toBeLessThanOrEqual(2);
    });
  }

  it('compareDecodersGpu: fractions exact, principal angles k = 8, 16 within 1e-4 rad of the reference', async () => {
    const gpu = await testGpu();
    const [a, b, json] = await Promise.all([
      fixtureNpy('metrics/A.npy'),
      fixtureNpy('metrics/B.npy'),
      fixtureJsonFile<{ frac_A_max_cos_above: Record<string, number>; mean_max_cos_A: number }>('metrics/metrics.json'),
    ]);
    const got = await compareDecodersGpu(gpu, rowMatrix(a.data as Float32Array, a.rows, a.cols), rowMatrix(b.data as Float32Array, b.rows, b.cols), { ks: [8, 16] });
    expect(got.fracAAbove).toEqual(json.frac_A_max_cos_above);
    expect(Math.abs(got.meanMaxCosA - json.mean_max_cos_A)).toBeLessThanOrEqual(TOL.gpuMetrics);
    for (const k of [8, 16]) {
      const ref = await fixtureNpy(`metrics/principal_angles_k${k}.npy`);
      expect(maxAbsError(got.principalAngles[String(k)], ref.data), `k=${k}`).toBeLessThanOrEqual(TOL.gpuMetrics);
    }
  });
});
