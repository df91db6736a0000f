/** sse[r] = Σ_j (x[r, j] − y[r, j])², float64. */
export function rowSqErrorRef(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r] += (x[r * cols + j] - y[r * cols + j]) ** 2;
  return out;
}
