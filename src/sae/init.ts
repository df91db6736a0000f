import type { TrainConfig } from './config.js';
import { Rng, seedFor } from './rng.js';
import type { SaeParams } from './sae-gpu.js';

export interface InitOptions {
  /** Initial b_dec, e.g. the data mean (default 0). */
  bDec?: Float32Array;
  /** Decoder row norm (default 1; ReLU SAEs often start smaller, e.g. 0.1). */
  decoderNorm?: number;
  /** JumpReLU initial threshold (default: the config's initThreshold, else 0.001 as Gemma Scope). */
  threshold?: number;
  /** W_enc = W_decᵀ (default true); otherwise an independent random encoder of the same scale. */
  tied?: boolean;
}

/** Random initial parameters: decoder rows random directions of a fixed norm, tied encoder, zero b_enc. */
export function initSaeParams(cfg: Pick<TrainConfig, 'arch' | 'd' | 'm' | 'k' | 'seed' | 'applyBDecToInput'> & Partial<Pick<TrainConfig, 'initThreshold'>>, o: InitOptions = {}): SaeParams {
  const { d, m } = cfg;
  const rng = new Rng(seedFor(cfg.seed, 0x1417));
  const norm = o.decoderNorm ?? 1;
  const randomRows = (): Float32Array => {
    const w = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      let ss = 0;
      for (let c = 0; c < d; c++) ss += (w[i * d + c] = rng.normal()) ** 2;
      const s = norm / Math.sqrt(ss);
      for (let c = 0; c < d; c++) w[i * d + c] *= s;
    }
    return w;
  };
  const W_dec = randomRows();
  const encRows = o.tied === false ? randomRows() : W_dec;
  const W_enc = new Float32Array(d * m);
  for (let i = 0; i < m; i++) for (let c = 0; c < d; c++) W_enc[c * m + i] = encRows[i * d + c];
  return {
    arch: cfg.arch, d, m, ...(cfg.arch === 'topk' ? { k: cfg.k } : {}),
    W_enc, b_enc: new Float32Array(m), W_dec, b_dec: o.bDec ? Float32Array.from(o.bDec) : new Float32Array(d),
    ...(cfg.arch === 'jumprelu' ? { log_theta: new Float32Array(m).fill(Math.log(o.threshold ?? cfg.initThreshold ?? 0.001)) } : {}),
    applyBDecToInput: cfg.applyBDecToInput,
  };
}
