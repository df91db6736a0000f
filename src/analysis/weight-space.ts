import type { LoraAdapter } from '../formats/index.js';
import { throwIfAborted } from '../errors/index.js';
import { unitRows } from './cpu/cosine.js';
import { leadingColumns, matmul, transpose, type Matrix, type MatrixLike } from './cpu/matrix.js';
import { principalAngles, topRightSingularVectors } from './cpu/subspace.js';
import { qr, svd } from './cpu/svd.js';

/** SVD of one module's ΔW = scaling·B·A [out, in], from r×r maths only. */
export interface LoraModuleSvd {
  /** descending, length r */
  singularValues: Float64Array;
  /** [out, r] left singular vectors (output directions) as columns */
  output: Matrix;
  /** [in, r] right singular vectors (input directions) as columns */
  input: Matrix;
}

/**
 * B = Q_B R_B, Aᵀ = Q_A R_A (thin QR), so ΔW = Q_B (scaling·R_B R_Aᵀ) Q_Aᵀ and the SVD of the r×r core
 * U S Vᵀ gives ΔW = (Q_B U) S (Q_A V)ᵀ. Never forms the [out, in] matrix.
 * @param a [r, in] lora_A
 * @param b [out, r] lora_B
 */
export function loraModuleSvd(a: ArrayLike<number>, b: ArrayLike<number>, r: number, inDim: number, outDim: number, scaling: number): LoraModuleSvd {
  if (a.length !== r * inDim || b.length !== outDim * r) throw new Error(`LoRA module: A has ${a.length} values (want ${r}×${inDim}), B ${b.length} (want ${outDim}×${r})`);
  if (r > inDim || r > outDim) throw new Error(`LoRA rank ${r} exceeds the module's dims [${outDim}, ${inDim}]`);
  const bm: Matrix = { rows: outDim, cols: r, data: Float64Array.from(b) };
  const atm = transpose({ rows: r, cols: inDim, data: Float64Array.from(a) });
  const qb = qr(bm);
  const qa = qr(atm);
  const core = matmul(qb.r, transpose(qa.r));
  for (let i = 0; i < core.data.length; i++) core.data[i] *= scaling;
  const s = svd(core);
  return { singularValues: s.s, output: matmul(qb.q, s.u), input: matmul(qa.q, s.v) };
}

export interface WeightSpaceRow {
  module: string;
  layer: number;
  kind: string;
  r: number;
  /** ‖scaling·B·A‖_F */
  frobeniusNorm: number;
  singularValues: number[];
  /** which side of the module lives in the residual stream: 'output' (o_proj, down_proj) or 'input' (reads it) */
  side: 'output' | 'input';
  /** per top direction: max |cos| against the decoder's rows (singular vectors have no sign) */
  bestAbsCos: number[];
  /** k → principal angles (ascending radians) between the module's top-k directions and the decoder's top-k right singular subspace */
  principalAngles: Record<string, number[]>;
}

export interface WeightSpaceOptions {
  /** how many top directions get a best-match cosine (default 8, at most r) */
  topDirections?: number;
  /** subspace dimensions (default [4, 8], each at most r) */
  ks?: readonly number[];
  /** the decoder's top right singular vectors as columns [d, ≥ max k], when already computed (e.g. on the GPU) */
  decoderSubspace?: Matrix;
  signal?: AbortSignal;
}

/** Max |cos| of each column of `dirs` [d, t] (unit columns) against unit decoder rows [m, d]. */
function bestAbsCosine(dirs: Matrix, decoderUnit: Float64Array, m: number): number[] {
  const d = dirs.rows;
  const out: number[] = [];
  for (let c = 0; c < dirs.cols; c++) {
    let best = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += decoderUnit[i * d + j] * dirs.data[j * dirs.cols + c];
      best = Math.max(best, Math.abs(s));
    }
    out.push(best);
  }
  return out;
}

/**
 * The weight-space view, no forward pass: per LoRA module whose input or output is the residual stream
 * (width = the decoder's d), the SVD of scaling·B·A and how its top directions align with the decoder.
 * @param decoder [m, d] a pretrained SAE's W_dec
 */
export async function weightSpaceView(adapter: LoraAdapter, decoder: MatrixLike, options: WeightSpaceOptions = {}): Promise<WeightSpaceRow[]> {
  const d = decoder.cols;
  const ks = options.ks ?? [4, 8];
  const kMax = Math.max(...ks);
  const subspace = options.decoderSubspace ?? topRightSingularVectors(decoder, Math.min(kMax, decoder.rows, d)).v;
  const unit = unitRows(decoder);
  const rows: WeightSpaceRow[] = [];
  for (const mod of adapter.modules) {
    throwIfAborted(options.signal, 'weight-space view');
    const side = mod.outFeatures === d ? 'output' : mod.inFeatures === d ? 'input' : null;
    if (!side) continue;
    const a = await adapter.weights.readF32(mod.aName);
    const b = await adapter.weights.readF32(mod.bName);
    const s = loraModuleSvd(a, b, mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
    const dirs = side === 'output' ? s.output : s.input;
    const top = Math.min(options.topDirections ?? 8, mod.r);
    const angles: Record<string, number[]> = {};
    for (const k of ks) {
      if (k > mod.r || k > subspace.cols) continue;
      angles[String(k)] = Array.from(principalAngles(leadingColumns(dirs, k), leadingColumns(subspace, k)).angles);
    }
    let fro = 0;
    for (const v of s.singularValues) fro += v * v;
    rows.push({
      module: mod.module,
      layer: mod.layer,
      kind: mod.kind,
      r: mod.r,
      frobeniusNorm: Math.sqrt(fro),
      singularValues: Array.from(s.singularValues),
      side,
      bestAbsCos: bestAbsCosine(leadingColumns(dirs, top), unit, decoder.rows),
      principalAngles: angles,
    });
  }
  return rows;
}
