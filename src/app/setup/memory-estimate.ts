import type { Gemma2Config } from '../../formats/index.js';
import type { GpuInfo } from '../../gpu/index.js';
import { EXTRACT_BATCH_SEQUENCES, type RunConfigInput } from '../../lab/index.js';
import { estimateMemory, formatBytes, whatFits } from '../../model/index.js';

export interface MemoryCheck {
  totalBytes: number;
  largestBufferBytes: number;
  /** The adapter's limits it must fit (null when no GPU is known yet). */
  maxBufferBytes: number | null;
  maxBindingBytes: number | null;
  /** null: no GPU to check the buffers against and no budget exceeded */
  fits: boolean | null;
  text: string;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 24 ? 1 : 0)} MiB`;

/** The engine's own estimate for this setup, held against the GPU adapter's buffer limits and the user's memory budget. */
export function checkMemory(cfg: Gemma2Config, draft: RunConfigInput, gpu: GpuInfo | null): MemoryCheck {
  const batchTokens = Math.min(draft.dataset.sequences, EXTRACT_BATCH_SEQUENCES) * draft.dataset.sequenceLength;
  // the random-LoRA control runs as one more adapter stream
  const adapters = draft.adapters.length + (draft.controls?.randomLora ? 1 : 0);
  const request = { dtype: draft.precision ?? 'f32', layers: draft.layers, adapters, batchTokens };
  const est = estimateMemory(cfg, request);
  const maxBuf = gpu?.maxBufferSize ?? null;
  const maxBind = gpu?.maxStorageBufferBindingSize ?? null;
  const budgetBytes = draft.gpuMemoryGiB === undefined ? undefined : draft.gpuMemoryGiB * 2 ** 30;
  const noFit = whatFits(cfg, request, { maxBufferBytes: maxBuf ?? Infinity, maxBindingBytes: maxBind ?? Infinity, budgetBytes });
  const fits = noFit ? false : maxBuf === null ? null : true;
  const limit = maxBuf === null ? 'no GPU to check against' : `largest buffer ${mib(est.largestBufferBytes)} of ${mib(maxBuf)} allowed (binding limit ${mib(maxBind ?? 0)})`;
  const budget = budgetBytes === undefined ? 'no memory budget set' : `within the budget of ${formatBytes(budgetBytes)}`;
  return {
    totalBytes: est.bytes,
    largestBufferBytes: est.largestBufferBytes,
    maxBufferBytes: maxBuf,
    maxBindingBytes: maxBind,
    fits,
    text:
      noFit?.statement ??
      `≈ ${mib(est.bytes)} of GPU memory for the model, ${adapters} adapter stream${adapters === 1 ? '' : 's'} and a batch of ${batchTokens} tokens; ${limit}; ${budget}.`,
  };
}
