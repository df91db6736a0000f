/** y[yOff + i] + d[i] over d's rows, and each row's L2 norm, in float64. d [rows, cols]. */
export function loraAddRef(d: ArrayLike<number>, y: ArrayLike<number>, yOff: number, rows: number, cols: number): { y: Float64Array; norms: Float64Array } {
  const out = Float64Array.from(y);
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      out[yOff + r * cols + c] += d[r * cols + c];
      s += d[r * cols + c] ** 2;
    }
    norms[r] = Math.sqrt(s);
  }
  return { y: out, norms };
}
