/** Float64 references for y = alpha·x·W (+ beta·y0 + bias), written from the formula, one output at a time. */

export interface GemmRefOptions {
  alpha?: number;
  beta?: number;
  y0?: ArrayLike<number>;
  bias?: ArrayLike<number>;
}

function finish(dot: number, i: number, n: number, o: GemmRefOptions): number {
  let v = (o.alpha ?? 1) * dot;
  if (o.beta && o.y0) v += o.beta * o.y0[i];
  if (o.bias) v += o.bias[n];
  return v;
}

/** x [M, K], w [K, N] → [M, N] */
export function matmulRef(x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number, o: GemmRefOptions = {}): Float64Array {
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * w[k * N + n];
      y[m * N + n] = finish(s, m * N + n, n, o);
    }
  }
  return y;
}

/** x [M, K], w [N, K] → x·wᵀ [M, N] */
export function matmulTransBRef(x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number, o: GemmRefOptions = {}): Float64Array {
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * w[n * K + k];
      y[m * N + n] = finish(s, m * N + n, n, o);
    }
  }
  return y;
}

/** a [K, M], b [K, N] → aᵀ·b [M, N] */
export function matmulTransARef(a: ArrayLike<number>, b: ArrayLike<number>, K: number, M: number, N: number): Float64Array {
  const y = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[k * M + m] * b[k * N + n];
      y[m * N + n] = s;
    }
  }
  return y;
}

/** Element strides of one operand, as in GemmDesc: element [b, r, c] at off + b·sb + r·sr + c·sc. */
export interface StridedRef {
  off: number;
  sb: number;
  sr: number;
  sc: number;
}

export interface GemmDescRef {
  M: number;
  N: number;
  K: number;
  batch: number;
  a: StridedRef;
  b: StridedRef;
  c: StridedRef;
}

export interface StridedGemmRefOptions {
  alpha?: number;
  beta?: number;
  bias?: ArrayLike<number>;
  biasOffset?: number;
  /** Applied to every element of a and b before multiplying (roundToF16 for the f16 kernels). */
  round?: (v: number) => number;
}

/**
 * y[b, m, n] = alpha·Σ_k A[b, m, k]·B[b, k, n] + beta·y0[b, m, n] + bias[biasOffset + n] over explicit strides.
 * Returns all of y: elements the layout does not address keep y0's values.
 */
export function gemmRef(d: GemmDescRef, a: ArrayLike<number>, w: ArrayLike<number>, y0: ArrayLike<number>, o: StridedGemmRefOptions = {}): Float64Array {
  const round = o.round ?? ((v: number) => v);
  const y = Float64Array.from(y0);
  for (let bi = 0; bi < d.batch; bi++) {
    for (let m = 0; m < d.M; m++) {
      for (let n = 0; n < d.N; n++) {
        let s = 0;
        for (let k = 0; k < d.K; k++) {
          s += round(a[d.a.off + bi * d.a.sb + m * d.a.sr + k * d.a.sc]) * round(w[d.b.off + bi * d.b.sb + k * d.b.sr + n * d.b.sc]);
        }
        const i = d.c.off + bi * d.c.sb + m * d.c.sr + n;
        let v = (o.alpha ?? 1) * s;
        if (o.beta) v += o.beta * y0[i];
        if (o.bias) v += o.bias[(o.biasOffset ?? 0) + n];
        y[i] = v;
      }
    }
  }
  return y;
}

/** The nearest binary16 value (ties to even; subnormals kept, overflow → ±Infinity). */
export function roundToF16(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  let e = Math.floor(Math.log2(Math.abs(v)));
  if (2 ** e > Math.abs(v)) e--;
  else if (2 ** (e + 1) <= Math.abs(v)) e++;
  // 10 fraction bits; below 2^-14 the spacing stays 2^-24 (subnormals).
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const q = v / ulp;
  const f = Math.floor(q);
  const r = q - f > 0.5 || (q - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
  const out = r * ulp;
  return Math.abs(out) > 65504 ? Math.sign(v) * Infinity : out;
}
