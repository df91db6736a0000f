import type { Gemma2Config } from '../../src/formats/index.js';
import { gemmaForwardRef, type RefWeights } from './gemma-forward.js';

/** One adapted module as the fixture files give it: lora_A [r, in], lora_B [out, r] and its resolved scaling. */
export interface RefLoraModule {
  /** e.g. model.layers.0.self_attn.q_proj */
  module: string;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  r: number;
  scaling: number;
}

/**
 * The fine-tuned forward in float64 with the adapter merged (W' = W + scaling·B·A, fixtures README §3), and per
 * adapted module the mean over counted tokens of ‖scaling·B·A·x‖, x the module's input in that forward.
 * @returns resid_post per layer 0..upTo and module name → { meanNorm, tokens }
 */
export function localWritesRef(c: Gemma2Config, base: RefWeights, modules: readonly RefLoraModule[], ids: ArrayLike<number>, batch: number, seq: number, upTo: number, counted: ArrayLike<number>) {
  const byName = new Map(modules.map((m) => [`${m.module}.weight`, m]));
  const merged: RefWeights = (name) => {
    const m = byName.get(name);
    const w = base(name);
    if (!m) return w;
    const out = Float64Array.from(w);
    const inF = m.a.length / m.r;
    const outF = m.b.length / m.r;
    for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) for (let q = 0; q < m.r; q++) out[o * inF + i] += m.scaling * m.b[o * m.r + q] * m.a[q * inF + i];
    return out;
  };
  const sums = new Map<string, { sum: number; tokens: number }>();
  const residPost = gemmaForwardRef(c, merged, ids, batch, seq, upTo, (layer, kind, b, x) => {
    const m = byName.get(`model.layers.${layer}.${kind}.weight`);
    if (!m) return;
    const inF = m.a.length / m.r;
    const outF = m.b.length / m.r;
    const e = sums.get(m.module) ?? { sum: 0, tokens: 0 };
    for (let t = 0; t < seq; t++) {
      if (!counted[b * seq + t]) continue;
      const u = new Float64Array(m.r);
      for (let q = 0; q < m.r; q++) for (let i = 0; i < inF; i++) u[q] += m.a[q * inF + i] * x[t * inF + i];
      let ss = 0;
      for (let o = 0; o < outF; o++) {
        let d = 0;
        for (let q = 0; q < m.r; q++) d += m.b[o * m.r + q] * u[q];
        ss += (m.scaling * d) ** 2;
      }
      e.sum += Math.sqrt(ss);
      e.tokens++;
    }
    sums.set(m.module, e);
  });
  const writes = new Map([...sums].map(([k, v]) => [k, { meanNorm: v.sum / v.tokens, tokens: v.tokens }]));
  return { residPost, writes };
}
