import type { Gemma2Config } from '../../formats/index.js';
import type { GpuInfo } from '../../gpu/index.js';
import { EXTRACT_BATCH_SEQUENCES, type RunConfigInput } from '../../lab/index.js';
import { estimateMemory } from '../../model/index.js';

export interface MemoryCheck {
  totalBytes: number;
  largestBufferBytes: number;
  /** The adapter's limits it must fit (null when no GPU is known yet). */
  maxBufferBytes: number | null;
  maxBindingBytes: number | null;
  fits: boolean | null;
  text: string;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 24 ? 1 : 0)} MiB`;

/** The engine's own estimate for this setup, held against the GPU adapter's buffer limits. */
export function checkMemory(cfg: Gemma2Config, draft: RunConfigInput, gpu: GpuInfo | null): MemoryCheck {
  const batchTokens = Math.min(draft.dataset.sequences, EXTRACT_BATCH_SEQUENCES) * draft.dataset.sequenceLength;
  const est = estimateMemory(cfg, { dtype: draft.precision ?? 'f32', layers: draft.layers, adapters: draft.adapters.length, batchTokens });
  const maxBuf = gpu?.maxBufferSize ?? null;
  const maxBind = gpu?.maxStorageBufferBindingSize ?? null;
  const fits = maxBuf === null ? null : est.largestBufferBytes <= maxBuf;
  const limit = maxBuf === null ? 'no GPU to check against' : `largest buffer ${mib(est.largestBufferBytes)} of ${mib(maxBuf)} allowed (binding limit ${mib(maxBind ?? 0)})`;
  return {
    totalBytes: est.bytes,
    largestBufferBytes: est.largestBufferBytes,
    maxBufferBytes: maxBuf,
    maxBindingBytes: maxBind,
    fits,
    text: `≈ ${mib(est.bytes)} of GPU memory for the model, ${draft.adapters.length} adapter stream${draft.adapters.length === 1 ? '' : 's'} and a batch of ${batchTokens} tokens; ${limit}.`,
  };
}
