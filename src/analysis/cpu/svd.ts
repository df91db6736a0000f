import { zeros, type Matrix } from './matrix.js';

/** Thin SVD a = u · diag(s) · vᵀ with s descending. u [m, p], v [n, p], p = min(m, n). */
export interface Svd {
  u: Matrix;
  s: Float64Array;
  v: Matrix;
}

const MAX_SWEEPS = 80;

/** Columns of a row-major matrix as separate float64 arrays (Jacobi and QR work column by column). */
function columnsOf(a: Matrix): Float64Array[] {
  const cols: Float64Array[] = [];
  for (let j = 0; j < a.cols; j++) {
    const c = new Float64Array(a.rows);
    for (let i = 0; i < a.rows; i++) c[i] = a.data[i * a.cols + j];
    cols.push(c);
  }
  return cols;
}

function fromColumns(cols: Float64Array[], rows: number): Matrix {
  const m = zeros(rows, cols.length);
  cols.forEach((c, j) => {
    for (let i = 0; i < rows; i++) m.data[i * cols.length + j] = c[i];
  });
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Householder QR of a [m, n] with m ≥ n: thin q [m, n] (orthonormal columns) and upper-triangular r [n, n].
 */
export function qr(a: Matrix): { q: Matrix; r: Matrix } {
  const { rows: m, cols: n } = a;
  if (m < n) throw new Error(`qr: needs rows ≥ cols, got [${m}, ${n}]`);
  const cols = columnsOf(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const x = cols[k];
    let norm = 0;
    for (let i = k; i < m; i++) norm += x[i] * x[i];
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    if (norm > 0) {
      const alpha = x[k] > 0 ? -norm : norm;
      for (let i = k; i < m; i++) v[i] = x[i];
      v[k] -= alpha;
      let vn = 0;
      for (let i = k; i < m; i++) vn += v[i] * v[i];
      vn = Math.sqrt(vn);
      if (vn > 0) for (let i = k; i < m; i++) v[i] /= vn;
      for (let j = k; j < n; j++) reflect(cols[j], v, k);
    }
    vs.push(v);
  }
  const r = zeros(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r.data[i * n + j] = cols[j][i];
  // Q = H_0 H_1 … H_{n-1} applied to the first n unit vectors.
  const qCols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(m);
    e[j] = 1;
    for (let k = n - 1; k >= 0; k--) reflect(e, vs[k], k);
    qCols.push(e);
  }
  return { q: fromColumns(qCols, m), r };
}

/** x ← (I − 2 v vᵀ) x, with v zero before index `from`. */
function reflect(x: Float64Array, v: Float64Array, from: number): void {
  let s = 0;
  for (let i = from; i < x.length; i++) s += v[i] * x[i];
  if (s === 0) return;
  s *= 2;
  for (let i = from; i < x.length; i++) x[i] -= s * v[i];
}

/**
 * One-sided (Hestenes) Jacobi SVD of a square or tall matrix's columns: rotates column pairs until all are
 * orthogonal, accumulating the rotations in v. High relative accuracy; O(n³) per sweep.
 */
function jacobiColumns(cols: Float64Array[]): { cols: Float64Array[]; v: Float64Array[] } {
  const n = cols.length;
  const v = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = dot(cols[p], cols[p]);
        const beta = dot(cols[q], cols[q]);
        const gamma = dot(cols[p], cols[q]);
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(cols[p], cols[q], c, s);
        rotate(v[p], v[q], c, s);
      }
    }
    if (!rotated) break;
  }
  return { cols, v };
}

function rotate(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    x[i] = c * a - s * b;
    y[i] = s * a + c * b;
  }
}

/** Thin SVD in float64: Householder QR first (so Jacobi works on a small square factor), then one-sided Jacobi. */
export function svd(a: Matrix): Svd {
  if (a.rows < a.cols) {
    const t = svd(transposeOf(a));
    return { u: t.v, s: t.s, v: t.u };
  }
  const { q, r } = qr(a);
  const n = a.cols;
  const { cols, v } = jacobiColumns(columnsOf(r));
  const s = cols.map((c) => Math.sqrt(dot(c, c)));
  const order = s.map((_, i) => i).sort((i, j) => s[j] - s[i] || i - j);
  const uR = order.map((i) => {
    const c = cols[i];
    const out = new Float64Array(n);
    if (s[i] > 0) for (let k = 0; k < n; k++) out[k] = c[k] / s[i];
    return out;
  });
  const u = zeros(a.rows, n);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += q.data[i * n + k] * uR[j][k];
      u.data[i * n + j] = acc;
    }
  }
  return { u, s: Float64Array.from(order, (i) => s[i]), v: fromColumns(order.map((i) => v[i]), n) };
}

function transposeOf(a: Matrix): Matrix {
  const t = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** Singular values only (descending). */
export function singularValues(a: Matrix): Float64Array {
  return svd(a).s;
}

/**
 * Eigen-decomposition of a symmetric matrix (cyclic Jacobi): values descending, vectors as columns.
 * Used for the small l×l step of the randomised SVD.
 */
export function symmetricEigen(a: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`symmetricEigen: [${a.rows}, ${a.cols}] is not square`);
  const m = Float64Array.from(a.data);
  const vec = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vec[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += m[i * n + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = vec[k * n + p];
          const vkq = vec[k * n + q];
          vec[k * n + p] = c * vkp - s * vkq;
          vec[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const vals = Array.from({ length: n }, (_, i) => m[i * n + i]);
  const order = vals.map((_, i) => i).sort((i, j) => vals[j] - vals[i] || i - j);
  const vectors = zeros(n, n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = vec[k * n + src];
  });
  return { values: Float64Array.from(order, (i) => vals[i]), vectors };
}
