/** acts = pre where pre > 0 and (relu | pre > θ_i | pre ≥ the row's cut value), else 0; with L0 per row and firings per latent. */
export function saeActivateRef(pre: ArrayLike<number>, rows: number, m: number, mode: 'relu' | 'jumprelu' | 'topk', threshold: ArrayLike<number>, cutValue: ArrayLike<number>) {
  const acts = new Float64Array(rows * m);
  const l0 = new Int32Array(rows);
  const fires = new Int32Array(m);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      const p = pre[r * m + i];
      const on = p > 0 && (mode === 'relu' || (mode === 'jumprelu' ? p > threshold[i] : p >= cutValue[r]));
      if (on) {
        acts[r * m + i] = p;
        l0[r]++;
        fires[i]++;
      }
    }
  }
  return { acts, l0, fires };
}
