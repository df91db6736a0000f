/** y[r, c] = exp(s·x[r, c]) / Σ_c' exp(s·x[r, c']), in float64 (max subtracted; an all −inf row gives zeros). */
export function softmaxRowsRef(x: ArrayLike<number>, rows: number, cols: number, scale = 1): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, scale * x[r * cols + c]);
    if (m === -Infinity) continue;
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(scale * x[r * cols + c] - m);
    for (let c = 0; c < cols; c++) y[r * cols + c] = Math.exp(scale * x[r * cols + c] - m) / s;
  }
  return y;
}
