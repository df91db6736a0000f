/** One adapter's entry of the fused LoRA kernels (see src/model/kernels/lora-add.wgsl). */
export interface LoraRefAdapter {
  stream: number;
  /** lora_A [r, K] */
  a: ArrayLike<number>;
  /** lora_B [N, r] */
  b: ArrayLike<number>;
  r: number;
  scale: number;
  normSlot: number;
}

/**
 * Every adapter's term d_a = scale_a · (x[stream_a] A_aᵀ) B_aᵀ added to y[stream_a], and each term's row
 * norms in norms[normSlot_a·T + t], in float64. x [streams·T, K], y [streams·T, N].
 */
export function loraRef(x: ArrayLike<number>, y: ArrayLike<number>, adapters: readonly LoraRefAdapter[], T: number, K: number, N: number, normsLength: number): { y: Float64Array; norms: Float64Array } {
  const out = Float64Array.from(y);
  const norms = new Float64Array(normsLength);
  for (const ad of adapters) {
    for (let t = 0; t < T; t++) {
      const row = ad.stream * T + t;
      const u = new Float64Array(ad.r);
      for (let q = 0; q < ad.r; q++) for (let i = 0; i < K; i++) u[q] += x[row * K + i] * ad.a[q * K + i];
      let s = 0;
      for (let o = 0; o < N; o++) {
        let d = 0;
        for (let q = 0; q < ad.r; q++) d += u[q] * ad.b[o * ad.r + q];
        d *= ad.scale;
        out[row * N + o] += d;
        s += d * d;
      }
      norms[ad.normSlot * T + t] = Math.sqrt(s);
    }
  }
  return { y: out, norms };
}

/** u[t, j] = x[stream[j]·T + t] · A[j] in float64.  A [R, K], u [T, R]. */
export function loraDownRef(x: ArrayLike<number>, a: ArrayLike<number>, stream: ArrayLike<number>, T: number, K: number): Float64Array {
  const R = stream.length;
  const u = new Float64Array(T * R);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < R; j++) {
      let acc = 0;
      for (let i = 0; i < K; i++) acc += x[(stream[j] * T + t) * K + i] * a[j * K + i];
      u[t * R + j] = acc;
    }
  }
  return u;
}
