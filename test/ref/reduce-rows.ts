/** Float64 row reductions of x [rows, cols]. */
function perRow(x: ArrayLike<number>, rows: number, cols: number, f: (acc: number, v: number) => number, init: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = init;
    for (let c = 0; c < cols; c++) acc = f(acc, x[r * cols + c]);
    out[r] = acc;
  }
  return out;
}
export const rowSumRef = (x: ArrayLike<number>, rows: number, cols: number): Float64Array => perRow(x, rows, cols, (s, v) => s + v, 0);
export const rowSumSquaresRef = (x: ArrayLike<number>, rows: number, cols: number): Float64Array => perRow(x, rows, cols, (s, v) => s + v * v, 0);
export const rowMaxRef = (x: ArrayLike<number>, rows: number, cols: number): Float64Array => perRow(x, rows, cols, (m, v) => Math.max(m, v), -Infinity);
