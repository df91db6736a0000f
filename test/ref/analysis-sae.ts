/**
 * SAE encode/decode and §5 metrics in float64, written from the fixtures README formulas (independent of
 * src/analysis): pre = (x − b_dec·[applyBDec])·W_enc + b_enc; relu / jumprelu (pre > θ) / topk (k largest,
 * lower index first on ties, then relu); recon = acts·W_dec + b_dec. No input normalisation.
 */
export interface SaeRefInput {
  arch: 'relu' | 'jumprelu' | 'topk';
  d: number;
  m: number;
  W_enc: ArrayLike<number>;
  W_dec: ArrayLike<number>;
  b_enc: ArrayLike<number>;
  b_dec: ArrayLike<number>;
  threshold?: ArrayLike<number>;
  k?: number;
  applyBDec?: boolean;
}

export function saeMetricsRef(s: SaeRefInput, x: ArrayLike<number>, n: number) {
  const { d, m } = s;
  let sse = 0;
  let sumSq = 0;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j] / n;
  let centred = 0;
  const l0 = new Int32Array(n);
  const fires = new Float64Array(m);
  const recon = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const pre = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let v = s.b_enc[i];
      for (let j = 0; j < d; j++) v += (x[r * d + j] - (s.applyBDec ? s.b_dec[j] : 0)) * s.W_enc[j * m + i];
      pre[i] = v;
    }
    const acts = new Float64Array(m);
    if (s.arch === 'topk') {
      const idx = Array.from({ length: m }, (_, i) => i).sort((a, b) => pre[b] - pre[a] || a - b);
      for (let t = 0; t < (s.k ?? 0); t++) acts[idx[t]] = Math.max(0, pre[idx[t]]);
    } else {
      for (let i = 0; i < m; i++) acts[i] = pre[i] > 0 && (s.arch === 'relu' || pre[i] > (s.threshold as ArrayLike<number>)[i]) ? pre[i] : 0;
    }
    for (let i = 0; i < m; i++) {
      if (acts[i] !== 0) {
        l0[r]++;
        fires[i]++;
      }
    }
    for (let j = 0; j < d; j++) {
      let rec = s.b_dec[j];
      for (let i = 0; i < m; i++) rec += acts[i] * s.W_dec[i * d + j];
      recon[r * d + j] = rec;
      const xv = x[r * d + j];
      sse += (xv - rec) ** 2;
      sumSq += xv * xv;
      centred += (xv - mean[j]) ** 2;
    }
  }
  return {
    mse: sse / (n * d),
    fvu: sse / centred,
    nmseUncentered: sse / sumSq,
    meanL0: l0.reduce((a, b) => a + b, 0) / n,
    l0,
    density: Float64Array.from(fires, (f) => f / n),
    nDead: fires.filter((f) => f === 0).length,
    recon,
  };
}
