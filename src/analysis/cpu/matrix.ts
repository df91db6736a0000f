/** A dense row-major float64 matrix: element (i, j) at data[i * cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Any row-major numeric matrix input (f32 decoders, f64 references). */
export interface MatrixLike {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Copies any row-major input into float64. */
export function toMatrix(m: MatrixLike): Matrix {
  if (m.data.length !== m.rows * m.cols) throw new Error(`matrix: ${m.data.length} values do not fill [${m.rows}, ${m.cols}]`);
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

export function transpose(a: Matrix): Matrix {
  const t = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** a [n, k] · b [k, m] → [n, m] */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: [${a.rows}, ${a.cols}] · [${b.rows}, ${b.cols}]`);
  const c = zeros(a.rows, b.cols);
  const { cols: k } = a;
  const m = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const ci = i * m;
    for (let p = 0; p < k; p++) {
      const v = a.data[i * k + p];
      if (v === 0) continue;
      const bp = p * m;
      for (let j = 0; j < m; j++) c.data[ci + j] += v * b.data[bp + j];
    }
  }
  return c;
}

/** aᵀ [k, n]ᵀ · b [k, m] → [n, m], without forming the transpose. */
export function matmulTN(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new Error(`matmulTN: [${a.rows}, ${a.cols}]ᵀ · [${b.rows}, ${b.cols}]`);
  const c = zeros(a.cols, b.cols);
  const n = a.cols;
  const m = b.cols;
  for (let p = 0; p < a.rows; p++) {
    for (let i = 0; i < n; i++) {
      const v = a.data[p * n + i];
      if (v === 0) continue;
      const ci = i * m;
      const bp = p * m;
      for (let j = 0; j < m; j++) c.data[ci + j] += v * b.data[bp + j];
    }
  }
  return c;
}

/** The first `k` columns of a. */
export function leadingColumns(a: Matrix, k: number): Matrix {
  const out = zeros(a.rows, k);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = a.data[i * a.cols + j];
  return out;
}

export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  return Math.sqrt(s);
}
