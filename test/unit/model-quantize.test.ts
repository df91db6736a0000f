import { describe, expect, it } from 'vitest';
import { f32ToF16Bits, packF16Rows, quantizeRows, roundHalfEven } from '../../src/model/quantize.js';
import { randomArray } from '../helpers/assert.js';
import { dequantizedRef } from '../ref/proj-matmul.js';

/** Decodes the documented packing: code j of word i is column (32/bits)·i + j, low bits first, two's complement. */
function decode(words: Uint32Array, scales: Float32Array, rows: number, cols: number, bits: 8 | 4): Float64Array {
  const perWord = 32 / bits;
  const wpr = Math.ceil(cols / perWord);
  const runs = Math.ceil(cols / 32);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const raw = (words[r * wpr + Math.floor(c / perWord)] >>> ((c % perWord) * bits)) & ((1 << bits) - 1);
      const q = raw >= 1 << (bits - 1) ? raw - (1 << bits) : raw;
      out[r * cols + c] = Math.fround(q * scales[r * runs + Math.floor(c / 32)]);
    }
  }
  return out;
}

describe('q8/q4 quantisation (DESIGN.md scheme)', () => {
  it('rounds half to even like numpy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -3.5001].map((v) => roundHalfEven(v) + 0)).toEqual([0, 2, 2, 0, -2, -2, 2, -4]);
  });

  for (const bits of [8, 4] as const) {
    for (const [rows, cols] of [[1, 1], [3, 33], [2, 67], [4, 64]] as const) {
      it(`q${bits} packs W' = q·s exactly for [${rows}, ${cols}] with ties, a zero run and a short last run`, () => {
        const w = randomArray(rows * cols, rows * 100 + cols);
        const qmax = bits === 8 ? 127 : 7;
        if (cols >= 4) w.set([qmax, 2.5, -3.5, 0.5], 0); // s = 1: exact ties
        if (rows > 1) w.fill(0, cols, cols + Math.min(32, cols)); // row 1's first run is all zero: s = 1, q = 0
        const p = quantizeRows(w, rows, cols, bits);
        expect(p.wordsPerRow).toBe(Math.ceil(cols / (32 / bits)));
        if (rows > 1) expect(p.scales[Math.ceil(cols / 32)]).toBe(1);
        // + 0 folds −0 into 0: the sign of a zero weight does not matter
        expect(decode(p.words, p.scales, rows, cols, bits)).toEqual(dequantizedRef(w, rows, cols, bits).map((v) => v + 0));
      });
    }
  }
});

describe('f16 packing', () => {
  it('rounds f32 to the nearest f16, ties to even, with overflow and subnormals', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [2 ** -24, 0x0001], [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [Infinity, 0x7c00], [2 ** -14, 0x0400], [3 * 2 ** -25, 0x0002],
    ];
    for (const [v, bits] of cases) expect(f32ToF16Bits(v), `f16 of ${v}`).toBe(bits);
    expect(Number.isNaN(f32ToF16Bits(NaN)) || (f32ToF16Bits(NaN) & 0x7c00) === 0x7c00).toBe(true);
  });

  it('puts even columns in the low half of each word', () => {
    expect([...packF16Rows(new Float32Array([1, -2, 1]), 1, 3)]).toEqual([(0xc000 << 16 | 0x3c00) >>> 0, 0x3c00]);
  });
});
