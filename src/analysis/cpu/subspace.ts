import { leadingColumns, matmul, matmulTN, toMatrix, zeros, type Matrix, type MatrixLike } from './matrix.js';
import { svd } from './svd.js';

/** Principal angles between two k-dimensional subspaces. */
export interface PrincipalAngles {
  /** radians, ascending */
  angles: Float64Array;
  /** singular values of V_Aᵀ V_B, descending (= cos of the ascending angles) */
  cosines: Float64Array;
}

/**
 * Top-k right singular vectors of the raw (uncentred) a [rows, d], as the columns of [d, k]
 * (fixtures README §6). Also returns all singular values, so callers can check the gap at k.
 */
export function topRightSingularVectors(a: MatrixLike, k: number): { v: Matrix; singularValues: Float64Array } {
  const p = Math.min(a.rows, a.cols);
  if (!Number.isInteger(k) || k < 1 || k > p) throw new Error(`k = ${k} must be an integer in 1..${p} (min of [${a.rows}, ${a.cols}])`);
  const { s, v } = svd(toMatrix(a));
  return { v: leadingColumns(v, k), singularValues: s };
}

/**
 * Principal angles between span(va) and span(vb), both [d, k] with orthonormal columns.
 * Small angles come from the sines (arcsin of the singular values of vb − va·vaᵀvb), large ones from the
 * cosines, as scipy.linalg.subspace_angles does, so both ends keep full float64 precision.
 */
export function principalAngles(va: Matrix, vb: Matrix): PrincipalAngles {
  if (va.rows !== vb.rows || va.cols !== vb.cols) throw new Error(`principalAngles: [${va.rows}, ${va.cols}] vs [${vb.rows}, ${vb.cols}]`);
  const k = va.cols;
  const m = matmulTN(va, vb);
  const cosines = svd(m).s.map((c) => Math.min(1, Math.max(-1, c)));
  const proj = matmul(va, m);
  const resid = zeros(vb.rows, k);
  for (let i = 0; i < resid.data.length; i++) resid.data[i] = vb.data[i] - proj.data[i];
  const sines = svd(resid).s.map((s) => Math.min(1, Math.max(0, s)));
  const angles = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    // sines are descending, so the i-th smallest angle pairs with sines[k − 1 − i].
    angles[i] = cosines[i] * cosines[i] >= 0.5 ? Math.asin(sines[k - 1 - i]) : Math.acos(cosines[i]);
  }
  return { angles, cosines };
}

/** Principal angles between the top-k right singular subspaces of two decoders, for each k. */
export function decoderPrincipalAngles(a: MatrixLike, b: MatrixLike, ks: readonly number[]): Map<number, PrincipalAngles> {
  if (a.cols !== b.cols) throw new Error(`decoders have different widths: A has ${a.cols} columns, B has ${b.cols}`);
  const kMax = Math.max(...ks);
  const sa = topRightSingularVectors(a, kMax).v;
  const sb = topRightSingularVectors(b, kMax).v;
  const out = new Map<number, PrincipalAngles>();
  for (const k of ks) out.set(k, principalAngles(leadingColumns(sa, k), leadingColumns(sb, k)));
  return out;
}
