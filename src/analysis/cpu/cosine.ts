import type { MatrixLike } from './matrix.js';

/** Thresholds at which the share of strongly matched features is reported (fixtures README §6). */
export const MATCH_THRESHOLDS = [0.5, 0.7, 0.9] as const;

/** Best match of each row of A among B's rows and vice versa (fixtures README §6). */
export interface MaxCosine {
  /** [rowsA] max_j cos(A_i, B_j) */
  maxCosA: Float64Array;
  /** [rowsA] first j attaining it */
  argmaxA: Int32Array;
  /** [rowsB] max_i cos(A_i, B_j) */
  maxCosB: Float64Array;
  /** [rowsB] first i attaining it */
  argmaxB: Int32Array;
}

/** Rows scaled to unit L2 norm in float64; an all-zero row stays zero (its cosine with anything is 0). */
export function unitRows(a: MatrixLike): Float64Array {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < a.cols; j++) out[i * a.cols + j] = a.data[i * a.cols + j] * inv;
  }
  return out;
}

function checkSameDim(a: MatrixLike, b: MatrixLike): void {
  if (a.cols !== b.cols) throw new Error(`decoders have different widths: A has ${a.cols} columns, B has ${b.cols}`);
}

/** cos[i, j] = <A_i, B_j> / (‖A_i‖ ‖B_j‖), [rowsA, rowsB] row-major float64. Only for small inputs. */
export function cosineMatrix(a: MatrixLike, b: MatrixLike): Float64Array {
  checkSameDim(a, b);
  const ua = unitRows(a);
  const ub = unitRows(b);
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += ua[i * d + k] * ub[j * d + k];
      out[i * b.rows + j] = Math.min(1, Math.max(-1, s));
    }
  }
  return out;
}

/**
 * Max cosine and argmax both ways without keeping the matrix; optionally also counts every pairwise
 * cosine into `histogram` (bins of equal width over [-1, 1]).
 */
export function maxCosine(a: MatrixLike, b: MatrixLike, histogram?: Float64Array): MaxCosine {
  checkSameDim(a, b);
  const ua = unitRows(a);
  const ub = unitRows(b);
  const d = a.cols;
  const res: MaxCosine = {
    maxCosA: new Float64Array(a.rows).fill(-Infinity),
    argmaxA: new Int32Array(a.rows),
    maxCosB: new Float64Array(b.rows).fill(-Infinity),
    argmaxB: new Int32Array(b.rows),
  };
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += ua[i * d + k] * ub[j * d + k];
      s = Math.min(1, Math.max(-1, s));
      // Strict '>' in index order keeps the first maximum, as numpy's argmax does.
      if (s > res.maxCosA[i]) {
        res.maxCosA[i] = s;
        res.argmaxA[i] = j;
      }
      if (s > res.maxCosB[j]) {
        res.maxCosB[j] = s;
        res.argmaxB[j] = i;
      }
      if (histogram) histogram[cosineBin(s, histogram.length)]++;
    }
  }
  return res;
}

/** Bin of a cosine among `bins` equal bins over [-1, 1]; 1 falls in the last bin. */
export function cosineBin(c: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(((c + 1) / 2) * bins)));
}

/** Share of values strictly greater than each threshold, keyed by the threshold as written ("0.5"). */
export function fractionAbove(values: ArrayLike<number>, thresholds: readonly number[] = MATCH_THRESHOLDS): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of thresholds) {
    let n = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > t) n++;
    out[String(t)] = values.length ? n / values.length : 0;
  }
  return out;
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : 0;
}

/** Counts of values in `bins` equal bins over [lo, hi] (values outside are clamped into the end bins). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): { edges: number[]; counts: number[] } {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor(((values[i] - lo) / (hi - lo)) * bins);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts };
}
