import type { MatrixLike } from './matrix.js';

export interface CkaOptions {
  /** Kornblith et al.'s debiased estimator (unbiased HSIC, Song et al. 2012) instead of the plain one. */
  debiased?: boolean;
  /** Force the n×n Gram form or the d×d feature form; by default the cheaper one for the shapes. */
  form?: 'gram' | 'feature';
}

/** Column-centred float64 copy (each feature minus its mean over rows). */
export function centreColumns(x: MatrixLike): Float64Array {
  const { rows: n, cols: d } = x;
  const out = Float64Array.from(x.data);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += out[i * d + j];
    const mu = s / n;
    for (let i = 0; i < n; i++) out[i * d + j] -= mu;
  }
  return out;
}

/** aᵀb for row-major a [n, p], b [n, q] → [p, q]. */
function crossProduct(a: Float64Array, p: number, b: Float64Array, q: number, n: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < p; i++) {
      const v = a[r * p + i];
      if (v === 0) continue;
      for (let j = 0; j < q; j++) out[i * q + j] += v * b[r * q + j];
    }
  }
  return out;
}

/** a·aᵀ for row-major a [n, p] → [n, n]. */
function gram(a: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += a[i * p + k] * a[j * p + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

/** Per-row squared norms of a row-major [n, p]. */
export function rowSquares(a: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) out[i] += a[i * p + k] ** 2;
  return out;
}

/** ⟨K, L⟩ for centred features: ‖Ycᵀ Xc‖²_F, ‖Xcᵀ Xc‖²_F, ‖Ycᵀ Yc‖²_F in whichever form is cheaper. */
function hsicTerms(xc: Float64Array, dx: number, yc: Float64Array, dy: number, n: number, form: 'gram' | 'feature') {
  if (form === 'feature') {
    return {
      xy: sumSquares(crossProduct(xc, dx, yc, dy, n)),
      xx: sumSquares(crossProduct(xc, dx, xc, dx, n)),
      yy: sumSquares(crossProduct(yc, dy, yc, dy, n)),
    };
  }
  const k = gram(xc, n, dx);
  const l = gram(yc, n, dy);
  let xy = 0;
  for (let i = 0; i < k.length; i++) xy += k[i] * l[i];
  return { xy, xx: sumSquares(k), yy: sumSquares(l) };
}

/** Kornblith et al.'s debiasing of a squared-Frobenius similarity term (their `_debiased_dot_product_similarity_helper`). */
function debias(term: number, rowsX: Float64Array, rowsY: Float64Array, normX: number, normY: number, n: number): number {
  let cross = 0;
  for (let i = 0; i < n; i++) cross += rowsX[i] * rowsY[i];
  return term - (n / (n - 2)) * cross + (normX * normY) / ((n - 1) * (n - 2));
}

/**
 * Linear CKA (Kornblith et al. 2019) between two representations of the same n rows (tokens):
 * CKA = ‖Ycᵀ Xc‖²_F / (‖Xcᵀ Xc‖_F ‖Ycᵀ Yc‖_F) with column-centred X, Y.
 * @param x [n, dx]
 * @param y [n, dy]
 */
export function linearCka(x: MatrixLike, y: MatrixLike, options: CkaOptions = {}): number {
  const n = x.rows;
  if (y.rows !== n) throw new Error(`CKA needs the same rows (tokens) in both: X has ${n}, Y has ${y.rows}`);
  if (n < 2) throw new Error(`CKA needs at least 2 rows, got ${n}`);
  if (options.debiased && n < 4) throw new Error(`debiased CKA needs at least 4 rows, got ${n}`);
  const dx = x.cols;
  const dy = y.cols;
  const xc = centreColumns(x);
  const yc = centreColumns(y);
  // Gram form costs ~n²(dx + dy); feature form ~n(dx·dy + dx² + dy²).
  const form = options.form ?? (n * (dx + dy) < dx * dy + dx * dx + dy * dy ? 'gram' : 'feature');
  const t = hsicTerms(xc, dx, yc, dy, n, form);
  return ckaFromTerms(t, options.debiased ? { rowsX: rowSquares(xc, n, dx), rowsY: rowSquares(yc, n, dy) } : null, n);
}

/**
 * CKA from ‖Ycᵀ Xc‖²_F (xy), ‖Xcᵀ Xc‖²_F (xx), ‖Ycᵀ Yc‖²_F (yy) of column-centred X, Y; with the per-row
 * squared norms of Xc, Yc for the debiased estimator. Shared by the CPU and GPU paths.
 */
export function ckaFromTerms(t: { xy: number; xx: number; yy: number }, rows: { rowsX: Float64Array; rowsY: Float64Array } | null, n: number): number {
  if (!rows) {
    const denom = Math.sqrt(t.xx) * Math.sqrt(t.yy);
    return denom > 0 ? t.xy / denom : 0;
  }
  const { rowsX: rx, rowsY: ry } = rows;
  const nx = rx.reduce((a, b) => a + b, 0);
  const ny = ry.reduce((a, b) => a + b, 0);
  const xy = debias(t.xy, rx, ry, nx, ny, n);
  const xx = debias(t.xx, rx, rx, nx, nx, n);
  const yy = debias(t.yy, ry, ry, ny, ny, n);
  const denom = Math.sqrt(Math.max(0, xx) * Math.max(0, yy));
  return denom > 0 ? xy / denom : 0;
}
