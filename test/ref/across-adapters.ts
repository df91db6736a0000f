/** Float64 references for the across-adapters view, written from the definitions in issue 14 §5. */

/** Mean over rows of A [ra, d] of the best cosine with any row of B [rb, d] (a zero row has cosine 0). */
export function meanBestCosineRef(a: ArrayLike<number>, ra: number, b: ArrayLike<number>, rb: number, d: number): number {
  const norm = (x: ArrayLike<number>, i: number) => Math.hypot(...Array.from({ length: d }, (_, c) => x[i * d + c]));
  let total = 0;
  for (let i = 0; i < ra; i++) {
    let best = -Infinity;
    const ni = norm(a, i);
    for (let j = 0; j < rb; j++) {
      const nj = norm(b, j);
      let dot = 0;
      for (let c = 0; c < d; c++) dot += a[i * d + c] * b[j * d + c];
      best = Math.max(best, ni > 0 && nj > 0 ? dot / (ni * nj) : 0);
    }
    total += best;
  }
  return total / ra;
}

/** d̄: mean over the non-BOS positions (1..seq−1) of a [batch, seq, d] delta of sequences that begin with BOS. */
export function meanDeltaRef(delta: ArrayLike<number>, batch: number, seq: number, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let b = 0; b < batch; b++) for (let p = 1; p < seq; p++) for (let c = 0; c < d; c++) out[c] += delta[(b * seq + p) * d + c];
  return out.map((v) => v / (batch * (seq - 1)));
}

export function cosineRef(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * y[i];
    nx += x[i] * x[i];
    ny += y[i] * y[i];
  }
  return dot / Math.sqrt(nx * ny);
}
