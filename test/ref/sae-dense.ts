// Float64 references of the dense SAE kernels, written from fixtures README §7 / §7b.

/** f = relu(pre) (arch relu) or pre·[pre > theta_i] (jumprelu).  pre: [rows, m] */
export function activateRef(pre: Float32Array, rows: number, m: number, arch: 'relu' | 'jumprelu', theta?: Float32Array): Float64Array {
  return Float64Array.from(pre, (p, t) => (arch === 'relu' ? Math.max(p, 0) : p > theta![t % m] ? p : 0));
}

/** Backward through the activation: gpre, dbias, dlogTheta and (fires, fsum, window pairs) per latent. */
export function latentGradRef(pre: Float32Array, gf: Float32Array, rows: number, m: number, arch: 'relu' | 'jumprelu', coef: Float32Array, lam: number, eps: number) {
  const gpre = new Float64Array(rows * m);
  const dbias = new Float64Array(m);
  const dlogTheta = new Float64Array(m);
  const stats = new Float64Array(m * 4);
  for (let i = 0; i < m; i++) {
    let dth = 0;
    for (let b = 0; b < rows; b++) {
      const t = b * m + i;
      const p = pre[t];
      const on = arch === 'relu' ? p > 0 : p > coef[i];
      if (on) {
        stats[i * 4] += 1;
        stats[i * 4 + 1] += p;
      }
      const inWindow = arch === 'jumprelu' && Math.abs(p - coef[i]) <= eps / 2;
      if (inWindow) {
        stats[i * 4 + 2] += 1;
        dth += coef[i] * gf[t] + lam / rows;
      }
      const g = on ? gf[t] + (arch === 'relu' ? (lam / rows) * coef[i] : 0) : 0;
      gpre[t] = g;
      dbias[i] += g;
    }
    dlogTheta[i] = coef[i] * (-(1 / eps) * dth);
  }
  return { gpre, dbias, dlogTheta, stats };
}

/** e = xhat (+ extra) − x; g = coef·e; sse per row. */
export function residualRef(xhat: Float32Array, x: Float32Array, rows: number, d: number, coef: number, extra?: Float32Array): { g: Float64Array; sse: Float64Array } {
  const g = new Float64Array(rows * d);
  const sse = new Float64Array(rows);
  for (let t = 0; t < rows * d; t++) {
    const e = xhat[t] + (extra ? extra[t] : 0) - x[t];
    g[t] = coef * e;
    sse[Math.floor(t / d)] += e * e;
  }
  return { g, sse };
}

/** Row norms, normalised rows, tangent projection of g, and the decoder-norm L1 term. */
export function rowsRef(w: Float32Array, g: Float32Array, m: number, d: number) {
  const norms = new Float64Array(m);
  const normalised = new Float64Array(m * d);
  const projected = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += w[i * d + c] ** 2;
    const n = Math.sqrt(ss);
    norms[i] = n;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += (g[i * d + c] * w[i * d + c]) / n;
    for (let c = 0; c < d; c++) {
      normalised[i * d + c] = w[i * d + c] / n;
      projected[i * d + c] = g[i * d + c] - (dot * w[i * d + c]) / n;
    }
  }
  return { norms, normalised, projected };
}

/** torch.optim.Adam update t (1-based), element-wise, in float64. */
export function adamRef(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, t: number, lr: number, b1: number, b2: number, eps: number) {
  const P = new Float64Array(p.length);
  const M = new Float64Array(p.length);
  const V = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    M[i] = b1 * m[i] + (1 - b1) * g[i];
    V[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    P[i] = p[i] - (lr / (1 - b1 ** t)) * (M[i] / (Math.sqrt(V[i]) / Math.sqrt(1 - b2 ** t) + eps));
  }
  return { p: P, m: M, v: V };
}
