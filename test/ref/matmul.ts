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
