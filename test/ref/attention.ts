/**
 * Causal GQA attention in float64 (fixtures README §1): score = (q·k)·scale, cap·tanh(score/cap) before the mask,
 * allowed j ≤ i and (window > 0 ⇒ i − j < window), kv head g = floor(h / (heads/kvHeads)).
 * q, o [seqs, seq, heads, hd]; k, v [seqs, seq, kvHeads, hd].
 */
export function attentionRef(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, seqs: number, seq: number, heads: number, kvHeads: number, hd: number, scale: number, cap: number, window: number): Float64Array {
  const o = new Float64Array(seqs * seq * heads * hd);
  const group = heads / kvHeads;
  for (let n = 0; n < seqs; n++) {
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      for (let i = 0; i < seq; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          if (window > 0 && i - j >= window) {
            scores.push(-Infinity);
            continue;
          }
          let s = 0;
          for (let d = 0; d < hd; d++) s += q[((n * seq + i) * heads + h) * hd + d] * k[((n * seq + j) * kvHeads + g) * hd + d];
          s *= scale;
          if (cap > 0) s = cap * Math.tanh(s / cap);
          scores.push(s);
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (e[j] / z) * v[((n * seq + j) * kvHeads + g) * hd + d];
          o[((n * seq + i) * heads + h) * hd + d] = acc;
        }
      }
    }
  }
  return o;
}
