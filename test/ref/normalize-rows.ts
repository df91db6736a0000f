/**
 * yT[j, r] = x[r, j] / ‖x[r]‖ for r < rows, 0 for rows ≤ r < padded; zero rows stay zero. float64.
 * @returns [cols, padded]
 */
export function normalizeRowsTransposedRef(x: ArrayLike<number>, rows: number, cols: number, padded: number): Float64Array {
  const y = new Float64Array(cols * padded);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[r * cols + j] ** 2;
    const n = Math.sqrt(s);
    for (let j = 0; j < cols; j++) y[j * padded + r] = n > 0 ? x[r * cols + j] / n : 0;
  }
  return y;
}
