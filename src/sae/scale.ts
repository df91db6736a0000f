import type { TrainingSource } from './sampler.js';

/**
 * The factor s with E‖s·x‖ = √d over (up to `maxRows` evenly spaced) rows, so that training
 * hyper-parameters transfer across layers and models; recorded in cfg.json and folded into exported weights.
 */
export async function estimateInputScale(source: TrainingSource, rows?: Int32Array, maxRows = 8192): Promise<number> {
  const all = rows ?? Int32Array.from({ length: source.count }, (_, i) => i);
  const n = Math.min(all.length, maxRows);
  if (n === 0) return 1;
  const pick = Int32Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  const x = await source.readRows(pick);
  const d = source.dim;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += x[r * d + c] ** 2;
    sum += Math.sqrt(ss);
  }
  const meanNorm = sum / n;
  return meanNorm > 0 ? Math.sqrt(d) / meanNorm : 1;
}

/** Mean row over `rows` (float64 accumulation), e.g. for initialising b_dec. */
export async function meanRow(source: TrainingSource, rows: Int32Array, scale = 1): Promise<Float32Array> {
  const d = source.dim;
  const acc = new Float64Array(d);
  for (let s = 0; s < rows.length; s += 4096) {
    const part = rows.subarray(s, s + 4096);
    const x = await source.readRows(part);
    for (let r = 0; r < part.length; r++) for (let c = 0; c < d; c++) acc[c] += x[r * d + c];
  }
  return Float32Array.from(acc, (v) => (v / Math.max(rows.length, 1)) * scale);
}
