import { throwIfAborted } from '../../errors/index.js';
import { ReconstructionAccumulator, type ReconstructionMetrics } from '../reconstruction.js';
import { activationOf, checkSaeShapes, normaliseRow, type Activation, type SaeDictionary } from '../sae-dictionary.js';

/** Encoder outputs of a batch, float64, row-major. */
export interface SaeOutputs {
  /** [n, m] x·W_enc + b_enc (after normalisation and the optional b_dec subtraction) */
  pre: Float64Array;
  /** [n, m] */
  acts: Float64Array;
  /** [n, d] acts·W_dec + b_dec, mapped back through the normalisation */
  recon: Float64Array;
}

/** √d / E‖x‖ over the rows of x: SAELens' dataset scale for 'expected_average_only_in'. */
export function expectedNormScale(x: ArrayLike<number>, rows: number, d: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += x[r * d + j] ** 2;
    s += Math.sqrt(q);
  }
  return s > 0 ? Math.sqrt(d) / (s / rows) : 1;
}

/** In place: acts from pre for one token. */
export function activate(pre: Float64Array, acts: Float64Array, kind: Activation, sae: SaeDictionary): void {
  const m = pre.length;
  if (kind === 'jumprelu') {
    const th = sae.threshold as Float32Array;
    // Gemma Scope: mask · relu(pre) with a strict '>' against the threshold.
    for (let i = 0; i < m; i++) acts[i] = pre[i] > th[i] && pre[i] > 0 ? pre[i] : 0;
  } else if (kind === 'relu') {
    for (let i = 0; i < m; i++) acts[i] = pre[i] > 0 ? pre[i] : 0;
  } else {
    acts.fill(0);
    // The k largest pre-activations (ties: lower index first), then ReLU, as SAELens' TopK.
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pre[b] - pre[a] || a - b);
    for (let t = 0; t < (sae.k as number); t++) acts[order[t]] = Math.max(pre[order[t]], 0);
  }
}

/**
 * Encodes and decodes rows [rowStart, rowStart + rows) of x in float64. Calls `each(r, pre, acts, recon)`
 * per token with scratch rows that are reused.
 */
function forEachToken(
  sae: SaeDictionary,
  x: ArrayLike<number>,
  rows: number,
  scale: number,
  each: (r: number, pre: Float64Array, acts: Float64Array, recon: Float64Array) => void,
  signal?: AbortSignal,
): void {
  checkSaeShapes(sae);
  const kind = activationOf(sae);
  const { dIn: d, dSae: m } = sae;
  if (x.length !== rows * d) throw new Error(`SAE input has ${x.length} values, expected ${rows} × ${d}`);
  const xin = new Float64Array(d);
  const pre = new Float64Array(m);
  const acts = new Float64Array(m);
  const recon = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    if (r % 256 === 0) throwIfAborted(signal, 'SAE evaluation');
    for (let j = 0; j < d; j++) xin[j] = x[r * d + j];
    const back = normaliseRow(sae.normalizeActivations, xin, scale);
    if (sae.applyBDecToInput) for (let j = 0; j < d; j++) xin[j] -= sae.b_dec[j];
    for (let i = 0; i < m; i++) pre[i] = sae.b_enc[i];
    for (let j = 0; j < d; j++) {
      const v = xin[j];
      if (v === 0) continue;
      const row = j * m;
      for (let i = 0; i < m; i++) pre[i] += v * sae.W_enc[row + i];
    }
    activate(pre, acts, kind, sae);
    for (let j = 0; j < d; j++) recon[j] = sae.b_dec[j];
    for (let i = 0; i < m; i++) {
      const a = acts[i];
      if (a === 0) continue;
      const row = i * d;
      for (let j = 0; j < d; j++) recon[j] += a * sae.W_dec[row + j];
    }
    for (let j = 0; j < d; j++) recon[j] = recon[j] * back.scale + back.shift;
    each(r, pre, acts, recon);
  }
}

/**
 * pre, acts and recon of every row (fixtures README §5). Holds [n, m] arrays: for checks on small inputs;
 * use evaluateSae for metrics over many tokens.
 * @param x [rows, dIn]
 */
export function encodeSae(sae: SaeDictionary, x: ArrayLike<number>, rows: number, normScale?: number): SaeOutputs {
  const { dIn: d, dSae: m } = sae;
  const out: SaeOutputs = { pre: new Float64Array(rows * m), acts: new Float64Array(rows * m), recon: new Float64Array(rows * d) };
  const scale = normScale ?? expectedNormScale(x, rows, d);
  forEachToken(sae, x, rows, scale, (r, pre, acts, recon) => {
    out.pre.set(pre, r * m);
    out.acts.set(acts, r * m);
    out.recon.set(recon, r * d);
  });
  return out;
}

/**
 * Reconstruction and density metrics of the SAE on x, streaming tokens in float64.
 * @param x [rows, dIn]
 * @param normScale the dataset scale for 'expected_average_only_in' (default: estimated from x)
 */
export function evaluateSae(sae: SaeDictionary, x: ArrayLike<number>, rows: number, options: { normScale?: number; signal?: AbortSignal } = {}): ReconstructionMetrics {
  const { dIn: d, dSae: m } = sae;
  const acc = new ReconstructionAccumulator(d, m);
  const l0 = new Int32Array(rows);
  const fires = new Float64Array(m);
  const scale = options.normScale ?? expectedNormScale(x, rows, d);
  const xRow = new Float64Array(d);
  forEachToken(
    sae,
    x,
    rows,
    scale,
    (r, _pre, acts, recon) => {
      for (let j = 0; j < d; j++) xRow[j] = x[r * d + j];
      acc.addReconstruction(xRow, recon, 1);
      for (let i = 0; i < m; i++) {
        if (acts[i] !== 0) {
          l0[r]++;
          fires[i]++;
        }
      }
    },
    options.signal,
  );
  acc.addFiring(l0, fires);
  return acc.result();
}

/**
 * The pretrained SAE applied as a difference of reconstructions: the delta x = ft − base is compared with
 * SAE(ft) − SAE(base) (both reconstructions mapped back to the input scale). L0 and density are those of the
 * fine-tuned tokens' codes.
 * @param ft [rows, dIn] fine-tuned activations
 * @param base [rows, dIn] base activations at the same tokens
 */
export function evaluateSaeDifference(sae: SaeDictionary, ft: ArrayLike<number>, base: ArrayLike<number>, rows: number, options: { normScale?: number; signal?: AbortSignal } = {}): ReconstructionMetrics {
  const { dIn: d, dSae: m } = sae;
  if (base.length !== ft.length) throw new Error(`base has ${base.length} values, fine-tuned ${ft.length}`);
  const acc = new ReconstructionAccumulator(d, m);
  const scale = options.normScale ?? expectedNormScale(ft, rows, d);
  const baseRecon = new Float64Array(rows * d);
  forEachToken(sae, base, rows, scale, (r, _pre, _acts, recon) => baseRecon.set(recon, r * d), options.signal);
  const l0 = new Int32Array(rows);
  const fires = new Float64Array(m);
  const delta = new Float64Array(d);
  const diff = new Float64Array(d);
  forEachToken(
    sae,
    ft,
    rows,
    scale,
    (r, _pre, acts, recon) => {
      for (let j = 0; j < d; j++) {
        delta[j] = ft[r * d + j] - base[r * d + j];
        diff[j] = recon[j] - baseRecon[r * d + j];
      }
      acc.addReconstruction(delta, diff, 1);
      for (let i = 0; i < m; i++) {
        if (acts[i] !== 0) {
          l0[r]++;
          fires[i]++;
        }
      }
    },
    options.signal,
  );
  acc.addFiring(l0, fires);
  return acc.result();
}
