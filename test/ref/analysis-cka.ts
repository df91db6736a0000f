/**
 * Debiased linear CKA from the U-statistic HSIC of Song et al. (2012), written from the formula with
 * explicit n×n kernels (independent of src/analysis's Kornblith-style helper):
 * HSIC_1(K, L) = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1 / ((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)),  K̃ = K with zero diagonal.
 */
export function debiasedCkaRef(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dx: number, dy: number): number {
  const centred = (a: ArrayLike<number>, d: number) => {
    const out = Float64Array.from(a);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += out[i * d + j];
      for (let i = 0; i < n; i++) out[i * d + j] -= s / n;
    }
    return out;
  };
  const kernel = (a: Float64Array, d: number) => {
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) for (let t = 0; t < d; t++) k[i * n + j] += a[i * d + t] * a[j * d + t];
    return k;
  };
  const hsic = (k: Float64Array, l: Float64Array) => {
    let tr = 0;
    let sk = 0;
    let sl = 0;
    let klOnes = 0;
    for (let i = 0; i < n; i++) {
      let rowK = 0;
      for (let j = 0; j < n; j++) {
        tr += k[i * n + j] * l[j * n + i];
        sk += k[i * n + j];
        sl += l[i * n + j];
        rowK += k[j * n + i];
      }
      let rowL = 0;
      for (let j = 0; j < n; j++) rowL += l[i * n + j];
      klOnes += rowK * rowL;
    }
    return (tr + (sk * sl) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * klOnes) / (n * (n - 3));
  };
  const k = kernel(centred(x, dx), dx);
  const l = kernel(centred(y, dy), dy);
  return hsic(k, l) / Math.sqrt(hsic(k, k) * hsic(l, l));
}
