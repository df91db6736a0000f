import { BufferPool } from '../gpu/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config } from '../formats/index.js';
import { wordsPerRow } from './kernels/proj-matmul.js';
import type { ModelDtype } from './types.js';

export interface MemoryRequest {
  dtype: ModelDtype;
  layers: number[];
  /** number of adapter streams (base excluded) */
  adapters: number;
  /** tokens per stream in one run (batch × seq, or maxBatchTokens) */
  batchTokens: number;
  logits?: boolean;
  residMid?: boolean;
  /** exact LoRA parameter count of all adapters; default: rank 16 on every module of every loaded layer */
  loraParams?: number;
}

export interface MemoryEstimate {
  bytes: number;
  largestBufferBytes: number;
}

/** Bytes of one projection matrix in the given precision (packed codes + f32 scales). */
export function projectionBytes(dtype: ModelDtype, rows: number, cols: number): number {
  if (dtype === 'f32') return rows * cols * 4;
  const scales = dtype === 'q8' || dtype === 'q4' ? rows * Math.ceil(cols / 32) * 4 : 0;
  return rows * wordsPerRow(dtype, cols) * 4 + scales;
}

/** Slots in the staging ring that weights are uploaded through (see weights.ts). */
export const STAGING_SLOTS = 4;
const STAGING_SLOT_MAX_BYTES = 8 << 20;

/**
 * Bytes of one staging slot: the largest projection as F32 (the widest stored dtype), capped at 8 MiB, but at
 * least one whole row (a chunk is whole rows, as q8/q4 runs never cross a row).
 */
export function stagingSlotBytes(config: Gemma2Config): number {
  let whole = 0;
  let row = 0;
  for (const kind of PROJECTION_KINDS) {
    const [out, inp] = projectionShape(config, kind);
    whole = Math.max(whole, out * inp * 4);
    row = Math.max(row, inp * 4);
  }
  return Math.ceil(Math.max(row, Math.min(STAGING_SLOT_MAX_BYTES, whole)) / 16) * 16;
}

/**
 * GPU memory of an engine with these settings, counting buffers as the pool rounds them. The embedding
 * is gathered on the CPU, so it only counts (as the LM head) when logits are asked for.
 */
export function estimateMemory(config: Gemma2Config, o: MemoryRequest): MemoryEstimate {
  const sizes: number[] = [];
  // many small buffers (LoRA) or chunks within the binding limit (LM head): count in bytes, not in the largest
  let spread = 0;
  const add = (bytes: number, count = 1): void => {
    for (let i = 0; i < count; i++) sizes.push(BufferPool.roundSize(bytes));
  };
  const nLayers = o.layers.length ? Math.max(...o.layers) + 1 : 0;
  const h = config.hiddenSize;
  const streams = o.adapters + 1;
  const rows = streams * o.batchTokens;
  for (const kind of PROJECTION_KINDS) {
    const [out, inp] = projectionShape(config, kind);
    add(projectionBytes(o.dtype, out, inp), nLayers);
  }
  add(h * 4, nLayers * 4 + 1);
  // the staging ring weights pass through, and the per-tensor NaN/Inf flags (kept by the pool after the load)
  add(stagingSlotBytes(config), STAGING_SLOTS);
  add(PROJECTION_KINDS.length * 4);
  const loraParams = o.loraParams ?? o.adapters * nLayers * PROJECTION_KINDS.reduce((s, k) => s + 16 * projectionShape(config, k).reduce((a, b) => a + b, 0), 0);
  spread += loraParams * 4;
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  // workspace: x, h, a [rows, hidden]; q, o [rows, q]; k, v [rows, kv]; gate, up [rows, intermediate]; LoRA scratch
  add(rows * h * 4, 3);
  add(rows * q * 4, 2);
  add(rows * kv * 4, 2);
  add(rows * config.intermediateSize * 4, 2);
  add(o.batchTokens * Math.max(h, q, config.intermediateSize) * 4, 2);
  // hooks: resid_post (+ resid_mid) per layer, deltas
  const hooks = o.layers.length * (o.residMid ? 2 : 1);
  add(rows * h * 4, hooks);
  if (o.adapters > 0) add(o.adapters * o.batchTokens * h * 4, o.layers.length);
  if (o.logits) {
    add(rows * config.vocabSize * 4);
    spread += config.vocabSize * h * 4;
  }
  return { bytes: sizes.reduce((a, b) => a + b, spread), largestBufferBytes: Math.max(...sizes) };
}

/** What a device offers. WebGPU cannot report free memory, so the budget is the user's own figure. */
export interface MemoryLimits {
  maxBufferBytes: number;
  maxBindingBytes: number;
  /** undefined: no budget, only the buffer limits count */
  budgetBytes?: number;
}

export interface FitRequest extends Omit<MemoryRequest, 'loraParams'> {
  /** LoRA parameters of the first `adapters` adapters on layers 0..layerCount−1; default rank 16 on every module */
  loraParams?: (layerCount: number, adapters: number) => number;
}

/** The deepest hooked layer one precision reaches with the request's adapters and batch (null: not even layer 0). */
export interface DtypeFit {
  dtype: ModelDtype;
  layer: number | null;
  bytes: number;
}

export interface NoFit {
  estimate: MemoryEstimate;
  /** deepest first */
  byDtype: DtypeFit[];
  /** Only when no precision fits at all: the most adapters, and the most tokens per batch, with which q4 fits the requested layers. */
  adapters: number | null;
  batchTokens: number | null;
  /** One line for the user: what was asked, why it does not fit, and what does. */
  statement: string;
}

const FIT_ORDER: readonly ModelDtype[] = ['f32', 'f16', 'q8', 'q4'];

/** Bytes as GiB from 1 GiB up, else MiB, one decimal (the unit of the refusal and setup messages). */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function estimateFit(config: Gemma2Config, r: FitRequest): MemoryEstimate {
  const layerCount = r.layers.length ? Math.max(...r.layers) + 1 : 0;
  return estimateMemory(config, { ...r, loraParams: r.loraParams?.(layerCount, r.adapters) });
}

/** The engine's own test: every buffer is bound whole, so the largest must fit both limits; the total must fit the budget. */
function withinLimits(est: MemoryEstimate, limits: MemoryLimits): boolean {
  return est.largestBufferBytes <= Math.min(limits.maxBindingBytes, limits.maxBufferBytes) && (limits.budgetBytes === undefined || est.bytes <= limits.budgetBytes);
}

/** The largest n in [lo, hi] with fits(n), for fits true up to some n and false above (null if fits(lo) is false). */
function largestFitting(lo: number, hi: number, fits: (n: number) => boolean): number | null {
  if (hi < lo || !fits(lo)) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The requested hooks below `layer`, with `layer` as the deepest. */
const hooksUpTo = (layers: number[], layer: number): number[] => [...layers.filter((l) => l < layer), layer];

/**
 * Null when the request fits these limits; otherwise what does: per precision the deepest hooked layer with the
 * same adapters and batch and, when none does, fewer adapters or a smaller batch in q4. Every number is estimateMemory's.
 */
export function whatFits(config: Gemma2Config, request: FitRequest, limits: MemoryLimits): NoFit | null {
  const estimate = estimateFit(config, request);
  if (withinLimits(estimate, limits)) return null;
  const fits = (r: FitRequest) => withinLimits(estimateFit(config, r), limits);
  // memory grows with the deepest layer (more loaded layers, never fewer hooks), so a binary search finds the edge
  const byDtype = FIT_ORDER.map((dtype): DtypeFit => {
    const layer = largestFitting(0, config.numHiddenLayers - 1, (l) => fits({ ...request, dtype, layers: hooksUpTo(request.layers, l) }));
    return { dtype, layer, bytes: layer === null ? 0 : estimateFit(config, { ...request, dtype, layers: hooksUpTo(request.layers, layer) }).bytes };
  }).sort((a, b) => (b.layer ?? -1) - (a.layer ?? -1));
  const none = byDtype.every((d) => d.layer === null);
  const q4 = { ...request, dtype: 'q4' as const };
  const adapters = none ? largestFitting(0, request.adapters - 1, (k) => fits({ ...q4, adapters: k })) : null;
  const batchTokens = none ? largestFitting(1, request.batchTokens - 1, (t) => fits({ ...q4, batchTokens: t })) : null;
  return { estimate, byDtype, adapters, batchTokens, statement: fitStatement(config, request, limits, estimate, byDtype, adapters, batchTokens) };
}

function fitStatement(config: Gemma2Config, r: FitRequest, limits: MemoryLimits, est: MemoryEstimate, byDtype: DtypeFit[], adapters: number | null, batchTokens: number | null): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const layerCount = Math.max(...r.layers) + 1;
  const asked = `Gemma-2 (${plural(layerCount, 'layer')} of ${config.numHiddenLayers}, ${r.dtype}, ${plural(r.adapters, 'adapter')}, ${r.batchTokens} tokens per batch${r.logits ? ', logits' : ''})`;
  const binding = Math.min(limits.maxBindingBytes, limits.maxBufferBytes);
  const why: string[] = [];
  if (est.largestBufferBytes > binding) {
    why.push(`needs a ${formatBytes(est.largestBufferBytes)} buffer, but this GPU binds at most ${formatBytes(binding)} (maxStorageBufferBindingSize ${limits.maxBindingBytes}, maxBufferSize ${limits.maxBufferBytes})`);
  }
  if (limits.budgetBytes !== undefined && est.bytes > limits.budgetBytes) why.push(`needs ≈ ${formatBytes(est.bytes)} of GPU memory, over the budget of ${formatBytes(limits.budgetBytes)}`);
  const same = `with ${plural(r.adapters, 'adapter')} and ${r.batchTokens} tokens per batch`;
  let fit: string;
  if (byDtype.some((d) => d.layer !== null)) {
    const parts = byDtype.map((d) => (d.layer === null ? `${d.dtype} not even layer 0` : `${d.dtype} up to layer ${d.layer} (${formatBytes(d.bytes)})`));
    fit = `What fits ${same}: ${parts.join(', ')}.`;
  } else {
    const fewer = [adapters === null ? null : `at most ${plural(adapters, 'adapter')}`, batchTokens === null ? null : `at most ${batchTokens} tokens per batch`].filter((s) => s !== null);
    fit = fewer.length
      ? `No precision fits ${same}; q4 up to layer ${layerCount - 1} fits with ${fewer.join(', or with ')}.`
      : `No precision fits ${same}, and q4 does not fit with fewer adapters or a smaller batch either.`;
  }
  return `${asked} ${why.join(' and ')}. ${fit}`;
}
