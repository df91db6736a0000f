/**
 * Dose-response in float64, written from the definitions in src/formats/bundle-schema.ts (DoseSchema) and
 * independent of src/analysis: a ReLU SAE pre = x·W_enc + b_enc (no b_dec subtraction), acts = max(pre, 0);
 * Δa(α) = mean act(α) − mean act(0); slope c = Σ α Δa / Σ α²; linearity = Σ(Δa − cα)² / Σ Δa²; onset = the
 * smallest α > 0 with sign(Δa(α_max))·Δa(α) ≥ fraction·|Δa(α_max)|.
 */
export interface ReluSaeRef {
  d: number;
  m: number;
  W_enc: ArrayLike<number>;
  b_enc: ArrayLike<number>;
}

export function meanLatentsRef(s: ReluSaeRef, x: ArrayLike<number>, rows: number): Float64Array {
  const out = new Float64Array(s.m);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < s.m; i++) {
      let v = s.b_enc[i];
      for (let j = 0; j < s.d; j++) v += x[r * s.d + j] * s.W_enc[j * s.m + i];
      out[i] += Math.max(v, 0) / rows;
    }
  }
  return out;
}

export function meanNormRef(x: ArrayLike<number>, rows: number, d: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += Math.hypot(...Array.from({ length: d }, (_, j) => x[r * d + j]));
  return s / rows;
}

export function linearityRef(alphas: number[], means: number[], fraction: number): { slope: number; linearity: number; onset: number | null } {
  const da = means.map((v) => v - means[alphas.indexOf(0)]);
  const c = alphas.reduce((s, a, i) => s + a * da[i], 0) / alphas.reduce((s, a) => s + a * a, 0);
  const total = da.reduce((s, v) => s + v * v, 0);
  const res = da.reduce((s, v, i) => s + (v - c * alphas[i]) ** 2, 0);
  const top = da[alphas.indexOf(Math.max(...alphas))];
  const order = alphas.map((a, i) => [a, da[i]]).sort((p, q) => p[0] - q[0]);
  const hit = top === 0 ? undefined : order.find(([a, v]) => a > 0 && Math.sign(top) * v >= fraction * Math.abs(top));
  return { slope: c, linearity: total > 0 ? res / total : 0, onset: hit ? hit[0] : null };
}
