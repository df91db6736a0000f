/**
 * max |got − ref| / max |ref| of x·W (or x·Wᵀ) on the first, middle and last rows, ref in float64: the full product of
 * a bench's large shapes would take seconds in JS. x [M, K]; w [K, N], or [N, K] when transB; got [M, N].
 */
export function sampledProductError(got: Float32Array, x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number, transB: boolean): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (const m of new Set([0, Math.floor(M / 2), M - 1])) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * (transB ? w[n * K + k] : w[k * N + n]);
      maxDiff = Math.max(maxDiff, Math.abs(got[m * N + n] - s));
      maxRef = Math.max(maxRef, Math.abs(s));
    }
  }
  return maxDiff / maxRef;
}
