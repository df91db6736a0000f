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
