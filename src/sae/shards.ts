/** A contiguous range of latents whose [mc, d] matrices and [rows, mc] activations each fit one binding. */
export interface ShardRange {
  c0: number;
  mc: number;
}

/**
 * Splits m latents so that every per-shard buffer ([mc, d] weights, [rows, mc] activations) stays within
 * `maxBindingBytes` (the device's maxStorageBufferBindingSize, or a smaller test limit).
 */
export function planShards(m: number, d: number, rows: number, maxBindingBytes: number): ShardRange[] {
  const perLatent = 4 * Math.max(d, rows, 4);
  const mcMax = Math.floor(maxBindingBytes / perLatent);
  if (mcMax < 1) throw new Error(`a single latent needs ${perLatent} bytes per binding, over the limit ${maxBindingBytes}`);
  const count = Math.ceil(m / mcMax);
  const base = Math.ceil(m / count);
  const out: ShardRange[] = [];
  for (let c0 = 0; c0 < m; c0 += base) out.push({ c0, mc: Math.min(base, m - c0) });
  return out;
}
