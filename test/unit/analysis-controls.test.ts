import { describe, expect, it } from 'vitest';
import {
  bootstrapCi,
  bootstrapMean,
  maxCosineNull,
  normMatchedRandomLora,
  randomFloor,
  randomUnitDirections,
  Rng,
  seedCeiling,
} from '../../src/analysis/index.js';
import { loadLoraAdapter } from '../../src/formats/index.js';
import { denseLoraDeltaRef, frobenius } from '../ref/analysis-lora.js';
import { fixtureBytes, fixtureNpy } from '../ref/analysis-load.js';

describe('ceiling: a dictionary against itself', () => {
  it('sits at max cos = 1 everywhere, matches each row to itself under a permutation, and has zero principal angles', async () => {
    const a = await fixtureNpy('metrics/A.npy');
    const perm = Array.from({ length: a.rows }, (_, i) => (i * 37) % a.rows);
    const shuffled = new Float32Array(a.data.length);
    perm.forEach((src, dst) => shuffled.set(a.data.subarray(src * a.cols, (src + 1) * a.cols), dst * a.cols));
    const c = seedCeiling(a, { rows: a.rows, cols: a.cols, data: shuffled }, { ks: [8, 16] });
    for (const v of c.maxCosA) expect(v).toBeCloseTo(1, 6);
    for (const v of c.maxCosB) expect(v).toBeCloseTo(1, 6);
    expect(c.fracAAbove['0.9']).toBe(1);
    perm.forEach((src, dst) => expect(c.argmaxB[dst]).toBe(src));
    for (const k of ['8', '16']) for (const angle of c.principalAngles[k]) expect(angle).toBeLessThan(1e-6);
  });
});

describe('floor: random unit directions', () => {
  it('the analytic null is exact where it has a closed form (d = 3: cos is uniform, E[max of n] = 1 − 2/(n+1))', () => {
    for (const n of [1, 10, 500]) expect(Math.abs(maxCosineNull(3, n).mean - (1 - 2 / (n + 1)))).toBeLessThan(1e-6);
    expect(Math.abs(maxCosineNull(2, 1).mean)).toBeLessThan(1e-6);
  });

  it('random directions give the analytic max-cosine distribution for d = 64', () => {
    const d = 64;
    const n = 512;
    const a = { rows: n, cols: d, data: randomUnitDirections(n, d, 11) };
    const { maxCosA } = randomFloor(a, 12, { ks: [] });
    const nul = maxCosineNull(d, n);
    // The null has sd 0.041 per row, so the mean of 512 rows has sd ≈ 0.0018 (20 seeds measured 0.0016:
    // rows sharing B barely correlate). 4 sd = 0.0075.
    const got = maxCosA.reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(got - nul.mean)).toBeLessThan(0.0075);
    // Kolmogorov–Smirnov distance to Fⁿ; the 0.1% critical value for 512 samples is 1.95/√512 = 0.086.
    const sorted = Array.from(maxCosA).sort((x, y) => x - y);
    let ks = 0;
    sorted.forEach((v, i) => {
      const j = Math.min(nul.grid.length - 1, Math.max(0, Math.round(((v + 1) / 2) * nul.grid.length) - 1));
      ks = Math.max(ks, Math.abs(nul.cdf[j] - (i + 1) / n), Math.abs(nul.cdf[j] - i / n));
    });
    expect(ks).toBeLessThan(0.086);
  });

  it('is seeded: the same seed gives the same directions, another seed different ones', () => {
    expect(randomUnitDirections(4, 8, 3)).toEqual(randomUnitDirections(4, 8, 3));
    expect(randomUnitDirections(4, 8, 3)).not.toEqual(randomUnitDirections(4, 8, 4));
  });
});

describe('bootstrap confidence intervals over tokens', () => {
  it('a 95% percentile CI of a mean covers the true value in ≥ 90% of 200 simulated data sets', () => {
    const rng = new Rng(7);
    let covered = 0;
    for (let trial = 0; trial < 200; trial++) {
      // Skewed per-token values (exponential, true mean 1), like per-token squared errors.
      const values = Float64Array.from({ length: 60 }, () => -Math.log(1 - rng.uniform()));
      const ci = bootstrapMean(values, { resamples: 400, seed: trial });
      if (ci.lo <= 1 && 1 <= ci.hi) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.9);
  });

  it('works for ratio statistics through indices, and is reproducible from its seed', () => {
    const num = Float64Array.from({ length: 40 }, (_, i) => 1 + (i % 7));
    const den = Float64Array.from({ length: 40 }, (_, i) => 2 + (i % 5));
    const ratio = (idx: Int32Array) => {
      let a = 0;
      let b = 0;
      for (const i of idx) {
        a += num[i];
        b += den[i];
      }
      return a / b;
    };
    const ci = bootstrapCi(40, ratio, { resamples: 300, seed: 5 });
    expect(ci.lo).toBeLessThanOrEqual(ci.estimate);
    expect(ci.hi).toBeGreaterThanOrEqual(ci.estimate);
    expect(bootstrapCi(40, ratio, { resamples: 300, seed: 5 })).toEqual(ci);
  });
});

describe("the referee's control: a norm-matched random LoRA", () => {
  it('keeps every module shape and matches ‖scaling·B·A‖_F per module, with different directions', async () => {
    const adapter = await loadLoraAdapter(
      { config: await fixtureBytes('adapters/r8/adapter_config.json'), weights: await fixtureBytes('adapters/r8/adapter_model.safetensors') },
      'r8',
    );
    const random = await normMatchedRandomLora(adapter, 1);
    expect(random.modules.map((m) => m.module)).toEqual(adapter.modules.map((m) => m.module));
    for (const mod of adapter.modules) {
      const [a, b, ra, rb] = await Promise.all([
        adapter.weights.readF32(mod.aName),
        adapter.weights.readF32(mod.bName),
        random.weights.readF32(mod.aName),
        random.weights.readF32(mod.bName),
      ]);
      expect(ra.length).toBe(a.length);
      expect(rb.length).toBe(b.length);
      const real = denseLoraDeltaRef(a, b, mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
      const fake = denseLoraDeltaRef(ra, rb, mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
      const nr = frobenius(real);
      expect(Math.abs(frobenius(fake) - nr) / nr, mod.module).toBeLessThan(1e-5);
      let dot = 0;
      for (let i = 0; i < real.length; i++) dot += real[i] * fake[i];
      expect(Math.abs(dot) / (nr * nr)).toBeLessThan(0.5);
    }
  });
});
