/**
 * Float64 references for the projection matmul, written from DESIGN.md's quantisation scheme:
 * per row, runs of 32 columns, s = max|w|/qmax in f32 (1 if all zero), q = clip(round_half_to_even(w/s), ±qmax), w' = q·s.
 */
function roundEven(v: number): number {
  const r = Math.round(v);
  // Math.round rounds ties up; a tie must go to the even neighbour
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/** W' [rows, cols] after the q8/q4 round trip, each value exactly as f32 arithmetic gives it. */
export function dequantizedRef(w: Float32Array, rows: number, cols: number, bits: 8 | 4): Float64Array {
  const qmax = bits === 8 ? 127 : 7;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const run = w.subarray(r * cols + c0, r * cols + Math.min(cols, c0 + 32));
      const m = run.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      const s = m === 0 ? 1 : Math.fround(m / qmax);
      run.forEach((v, j) => {
        const q = Math.min(qmax, Math.max(-qmax, roundEven(Math.fround(v / s))));
        out[r * cols + c0 + j] = Math.fround(q * s);
      });
    }
  }
  return out;
}

/** W rounded to f16 (the browser's Math.f16round; tests needing it skip where it is missing). */
export function f16RoundedRef(w: Float32Array): Float64Array | null {
  const f16round = (Math as unknown as { f16round?: (v: number) => number }).f16round;
  return f16round ? Float64Array.from(w, (v) => f16round(v)) : null;
}

/** y = alpha · x Wᵀ (+ y0), optionally soft-capped: cap·tanh(y/cap). x [m, k], W [n, k] → [m, n]. */
export function projMatmulRef(x: ArrayLike<number>, w: ArrayLike<number>, m: number, n: number, k: number, alpha = 1, y0?: ArrayLike<number>, cap = 0): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[i * k + t] * w[j * k + t];
      let v = alpha * s + (y0 ? y0[i * n + j] : 0);
      if (cap > 0) v = cap * Math.tanh(v / cap);
      y[i * n + j] = v;
    }
  }
  return y;
}
