import type { GpuTensor } from '../gpu/index.js';
import type { ProgressCallback } from '../progress/index.js';

/** Weight precision on the GPU: f32 reference, f16 storage, or the fixed q8/q4 scheme of DESIGN.md. */
export type ModelDtype = 'f32' | 'f16' | 'q8' | 'q4';
export const MODEL_DTYPES: readonly ModelDtype[] = ['f32', 'f16', 'q8', 'q4'];

export interface EngineOptions {
  dtype: ModelDtype;
  /** Layers whose resid_post is hooked; only layers 0..max(layers) are loaded and run. */
  layers: number[];
  /** Also hook resid_mid (after the attention block) of the same layers. */
  residMid?: boolean;
  /** Also compute the soft-capped final logits (uploads the LM head). */
  logits?: boolean;
  /** Tokens per stream run at once; longer batches run in chunks of whole sequences (default 2048). */
  maxBatchTokens?: number;
  /** Refuse to load when the estimate exceeds this many bytes (WebGPU cannot report free memory). */
  memoryBudgetBytes?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Mean over the batch's counted tokens of ‖scaling·B·A·x‖ of one adapted module: its local delta. */
export interface LoraNorm {
  adapter: string;
  layer: number;
  module: string;
  /** 0 when no token is counted */
  meanNorm: number;
  /** tokens the mean is over (all of the batch unless forward() was given a mask) */
  tokens: number;
}

export interface ForwardOutput {
  /** layer → [streams, batch, seq, hidden]; stream 0 = base, stream k = adapter k−1 */
  residPost: Map<number, GpuTensor>;
  /** layer → [adapters, batch, seq, hidden] = stream k − stream 0 (formed on the GPU) */
  delta: Map<number, GpuTensor>;
  /** layer → [streams, batch, seq, hidden], when EngineOptions.residMid */
  residMid?: Map<number, GpuTensor>;
  /** [streams, batch, seq, vocab] soft-capped, when EngineOptions.logits */
  logits?: GpuTensor;
  loraNorms: LoraNorm[];
  /** Returns every tensor above to the pool. */
  release(): void;
}
