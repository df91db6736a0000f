/**
 * The fixed q8/q4 scheme of DESIGN.md (so results compare across machines), and f16 packing.
 * Per row of W [rows, cols], runs of 32 input columns (the last may be shorter):
 *   s = max|w| / qmax in f32 (1 for an all-zero run);  q = clip(round_half_to_even(w / s), ±qmax)
 * Codes are packed little-end first: four int8 (q8) or eight int4 (q4) per u32, rows padded with zero codes.
 */
export const RUN = 32;

export interface PackedRows {
  /** u32 [rows, wordsPerRow] */
  words: Uint32Array;
  /** f32 [rows, ceil(cols/32)] */
  scales: Float32Array;
  wordsPerRow: number;
}

/** Round half to even (banker's rounding) as numpy.round / torch.round do. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export function quantizeRows(w: Float32Array, rows: number, cols: number, bits: 8 | 4): PackedRows {
  if (w.length !== rows * cols) throw new Error(`quantizeRows: ${w.length} values for [${rows}, ${cols}]`);
  const qmax = bits === 8 ? 127 : 7;
  const perWord = 32 / bits;
  const mask = (1 << bits) - 1;
  const wordsPerRow = Math.ceil(cols / perWord);
  const runs = Math.ceil(cols / RUN);
  const words = new Uint32Array(rows * wordsPerRow);
  const scales = new Float32Array(rows * runs);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let g = 0; g < runs; g++) {
      const c0 = g * RUN;
      const c1 = Math.min(cols, c0 + RUN);
      let maxAbs = 0;
      for (let c = c0; c < c1; c++) maxAbs = Math.max(maxAbs, Math.abs(w[row + c]));
      // f64 division of two f32 values rounded once to f32 equals the f32 division
      const s = maxAbs === 0 ? 1 : Math.fround(maxAbs / qmax);
      scales[r * runs + g] = s;
      for (let c = c0; c < c1; c++) {
        const q = Math.max(-qmax, Math.min(qmax, roundHalfEven(Math.fround(w[row + c] / s))));
        const wi = r * wordsPerRow + Math.floor(c / perWord);
        words[wi] = (words[wi] | ((q & mask) << ((c % perWord) * bits))) >>> 0;
      }
    }
  }
  return { words, scales, wordsPerRow };
}

/** IEEE f32 → f16 bits, round to nearest even (overflow → ±inf, tiny → subnormal/0). */
export function f32ToF16Bits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** W [rows, cols] f32 → u32 [rows, ceil(cols/2)], two f16 per word (low half = even column). */
export function packF16Rows(w: Float32Array, rows: number, cols: number): Uint32Array {
  if (w.length !== rows * cols) throw new Error(`packF16Rows: ${w.length} values for [${rows}, ${cols}]`);
  const wpr = Math.ceil(cols / 2);
  const out = new Uint32Array(rows * wpr);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const wi = r * wpr + (c >> 1);
      out[wi] = (out[wi] | (f32ToF16Bits(w[r * cols + c]) << ((c & 1) * 16))) >>> 0;
    }
  }
  return out;
}
