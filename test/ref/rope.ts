/** Rotary embedding, rotate_half pairs (i, i + hd/2), angle p·theta^(−2i/hd), in float64. x [rows, heads, hd], p = row mod seq. */
export function ropeRef(x: ArrayLike<number>, rows: number, heads: number, hd: number, seq: number, theta: number): Float64Array {
  const y = Float64Array.from(x);
  const half = hd / 2;
  for (let r = 0; r < rows; r++) {
    const p = r % seq;
    for (let h = 0; h < heads; h++) {
      const b = (r * heads + h) * hd;
      for (let i = 0; i < half; i++) {
        const ang = p * Math.pow(theta, (-2 * i) / hd);
        const a0 = x[b + i];
        const a1 = x[b + i + half];
        y[b + i] = a0 * Math.cos(ang) - a1 * Math.sin(ang);
        y[b + i + half] = a1 * Math.cos(ang) + a0 * Math.sin(ang);
      }
    }
  }
  return y;
}
