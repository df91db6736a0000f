/** float64 reference of row-norms.wgsl: ‖x[r, :]‖₂. */
export function rowNormsRef(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let h = 0; h < cols; h++) s += x[r * cols + h] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}
