import type { Gemma2Config } from '../../src/formats/index.js';

/** Weights by Hugging Face name (lora merged by the caller when wanted). */
export type RefWeights = (name: string) => ArrayLike<number>;

/** y [n, out] = x [n, in] · Wᵀ, W [out, in] */
function linear(x: Float64Array, w: ArrayLike<number>, n: number, inp: number, out: number): Float64Array {
  const y = new Float64Array(n * out);
  for (let t = 0; t < n; t++) {
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inp; i++) s += x[t * inp + i] * w[o * inp + i];
      y[t * out + o] = s;
    }
  }
  return y;
}

function rms(x: Float64Array, w: ArrayLike<number>, n: number, h: number, eps: number): Float64Array {
  const y = new Float64Array(n * h);
  for (let t = 0; t < n; t++) {
    let ss = 0;
    for (let c = 0; c < h; c++) ss += x[t * h + c] ** 2;
    const inv = 1 / Math.sqrt(ss / h + eps);
    for (let c = 0; c < h; c++) y[t * h + c] = x[t * h + c] * inv * (1 + w[c]);
  }
  return y;
}

function rotate(x: Float64Array, seq: number, heads: number, hd: number, theta: number): void {
  const half = hd / 2;
  for (let p = 0; p < seq; p++) {
    for (let h = 0; h < heads; h++) {
      const b = (p * heads + h) * hd;
      for (let i = 0; i < half; i++) {
        const ang = p * Math.pow(theta, (-2 * i) / hd);
        const [a0, a1] = [x[b + i], x[b + i + half]];
        x[b + i] = a0 * Math.cos(ang) - a1 * Math.sin(ang);
        x[b + i + half] = a1 * Math.cos(ang) + a0 * Math.sin(ang);
      }
    }
  }
}

/** Sees the input [seq, in] of projection `module` (e.g. 'self_attn.q_proj') of sequence b at layer l. */
export type ModuleInputHook = (layer: number, module: string, b: number, x: Float64Array) => void;

/**
 * Gemma-2 forward in float64, written from fixtures README §1 (one sequence at a time).
 * @returns resid_post per layer 0..upTo, each [batch, seq, hidden]
 */
export function gemmaForwardRef(c: Gemma2Config, w: RefWeights, ids: ArrayLike<number>, batch: number, seq: number, upTo: number, onInput?: ModuleInputHook): Float64Array[] {
  const H = c.hiddenSize;
  const [nh, nkv, hd] = [c.numAttentionHeads, c.numKeyValueHeads, c.headDim];
  const out = Array.from({ length: upTo + 1 }, () => new Float64Array(batch * seq * H));
  const embed = w('model.embed_tokens.weight');
  for (let b = 0; b < batch; b++) {
    const x = new Float64Array(seq * H);
    for (let p = 0; p < seq; p++) for (let i = 0; i < H; i++) x[p * H + i] = embed[ids[b * seq + p] * H + i] * Math.sqrt(H);
    for (let l = 0; l <= upTo; l++) {
      const L = (n: string): ArrayLike<number> => w(`model.layers.${l}.${n}.weight`);
      const h = rms(x, L('input_layernorm'), seq, H, c.rmsNormEps);
      for (const m of ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj']) onInput?.(l, m, b, h);
      const q = linear(h, L('self_attn.q_proj'), seq, H, nh * hd);
      const k = linear(h, L('self_attn.k_proj'), seq, H, nkv * hd);
      const v = linear(h, L('self_attn.v_proj'), seq, H, nkv * hd);
      rotate(q, seq, nh, hd, c.ropeTheta);
      rotate(k, seq, nkv, hd, c.ropeTheta);
      const o = new Float64Array(seq * nh * hd);
      const window = l % 2 === 0 ? c.slidingWindow : Infinity;
      for (let hh = 0; hh < nh; hh++) {
        const g = Math.floor(hh / (nh / nkv));
        for (let i = 0; i < seq; i++) {
          const s: number[] = [];
          for (let j = 0; j <= i; j++) {
            let d = 0;
            for (let e = 0; e < hd; e++) d += q[(i * nh + hh) * hd + e] * k[(j * nkv + g) * hd + e];
            d *= c.queryPreAttnScalar ** -0.5;
            if (c.attnLogitSoftcapping) d = c.attnLogitSoftcapping * Math.tanh(d / c.attnLogitSoftcapping);
            s.push(i - j < window ? d : -Infinity);
          }
          const m = Math.max(...s);
          const e = s.map((v2) => Math.exp(v2 - m));
          const z = e.reduce((a2, b2) => a2 + b2, 0);
          for (let d = 0; d < hd; d++) {
            let acc = 0;
            for (let j = 0; j <= i; j++) acc += (e[j] / z) * v[(j * nkv + g) * hd + d];
            o[(i * nh + hh) * hd + d] = acc;
          }
        }
      }
      onInput?.(l, 'self_attn.o_proj', b, o);
      const a = rms(linear(o, L('self_attn.o_proj'), seq, nh * hd, H), L('post_attention_layernorm'), seq, H, c.rmsNormEps);
      for (let i = 0; i < x.length; i++) x[i] += a[i];
      const h2 = rms(x, L('pre_feedforward_layernorm'), seq, H, c.rmsNormEps);
      for (const m of ['mlp.gate_proj', 'mlp.up_proj']) onInput?.(l, m, b, h2);
      const gate = linear(h2, L('mlp.gate_proj'), seq, H, c.intermediateSize);
      const up = linear(h2, L('mlp.up_proj'), seq, H, c.intermediateSize);
      const act = gate.map((gv, i) => 0.5 * gv * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (gv + 0.044715 * gv ** 3))) * up[i]);
      onInput?.(l, 'mlp.down_proj', b, act);
      const m2 = rms(linear(act, L('mlp.down_proj'), seq, c.intermediateSize, H), L('post_feedforward_layernorm'), seq, H, c.rmsNormEps);
      for (let i = 0; i < x.length; i++) x[i] += m2[i];
      out[l].set(x, b * seq * H);
    }
  }
  return out;
}
