import { describe, expect, it } from 'vitest';
import { emptyMoments, f16BitsToF32, f16ToF32, f32ToF16, f32ToF16Bits, mergeMoments, summarizeMoments, type MomentStats } from '../../src/store/index.js';
import { randomArray } from '../helpers/assert.js';

/** Two-pass float64 moments of rows [n, d]: the definition, for comparison with merged partial moments. */
function momentsRef(x: Float64Array, d: number): { mean: number[]; m2: number[] } {
  const n = x.length / d;
  const mean = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j] / n;
  const m2 = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) m2[j] += (x[r * d + j] - mean[j]) ** 2;
  return { mean, m2 };
}

function partial(x: Float64Array, d: number): MomentStats {
  const { mean, m2 } = momentsRef(x, d);
  const n = x.length / d;
  return { count: n, sumNorm: 0, countWithBos: n, sumNormWithBos: 0, mean, m2 };
}

describe('mergeMoments (Chan)', () => {
  it('merging per-batch moments equals the moments of all rows', () => {
    const d = 5;
    const sizes = [1, 7, 13, 2, 31];
    const all = Float64Array.from(randomArray(sizes.reduce((a, b) => a + b) * d, 11), (v, i) => v * 3 + (i % d));
    let acc = emptyMoments(d);
    let off = 0;
    for (const n of sizes) {
      acc = mergeMoments(acc, partial(all.subarray(off, off + n * d), d));
      off += n * d;
    }
    const ref = momentsRef(all, d);
    expect(acc.count).toBe(54);
    for (let j = 0; j < d; j++) {
      expect(Math.abs(acc.mean[j] - ref.mean[j])).toBeLessThan(1e-12);
      expect(Math.abs(acc.m2[j] - ref.m2[j]) / ref.m2[j]).toBeLessThan(1e-12);
    }
  });

  it('an empty side changes nothing', () => {
    const a = partial(Float64Array.from([1, 2, 3, 5]), 2);
    expect(mergeMoments(a, emptyMoments(2))).toEqual(a);
    expect(mergeMoments(emptyMoments(2), a)).toEqual(a);
  });

  it('summarizes mean norms (with and without BOS) and variance', () => {
    const s: MomentStats = { count: 4, sumNorm: 8, countWithBos: 5, sumNormWithBos: 18, mean: [1, 0], m2: [4, 8] };
    expect(summarizeMoments(s)).toEqual({ meanNorm: 2, meanNormWithBos: 3.6, variance: [1, 2], meanSquaredNorm: 4 });
  });
});

describe('f16 conversion', () => {
  it('encodes known values exactly', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -14, 0x0400], [2 ** -24, 0x0001],
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [65520, 0x7c00], [1e6, 0x7c00], [2 ** -26, 0x0000],
      // ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002],
    ];
    for (const [x, bits] of cases) expect(f32ToF16Bits(x), `f16(${x})`).toBe(bits);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
  });

  it('decodes every finite half exactly and re-encodes it to the same bits', () => {
    for (let h = 0; h < 65536; h++) {
      const e = (h >>> 10) & 0x1f;
      if (e === 0x1f) continue;
      const v = f16BitsToF32(h);
      const back = f32ToF16Bits(v);
      expect(back === h || (v === 0 && (back & 0x7fff) === 0)).toBe(true);
    }
  });

  it('rounds random floats to the nearest half', () => {
    const x = Float32Array.from(randomArray(4000, 5), (v, i) => v * 10 ** ((i % 9) - 4));
    const back = f16ToF32(f32ToF16(x));
    for (let i = 0; i < x.length; i++) {
      const h = f32ToF16Bits(x[i]);
      const err = Math.abs(back[i] - x[i]);
      // neither neighbouring half is closer
      for (const n of [h - 1, h + 1]) if ((n & 0x7fff) < 0x7c00 && n >= 0) expect(err).toBeLessThanOrEqual(Math.abs(f16BitsToF32(n) - x[i]));
    }
  });
});
