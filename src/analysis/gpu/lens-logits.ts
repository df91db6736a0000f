import { throwIfAborted } from '../../errors/index.js';
import { matmulTransB, maxBindingBytes, planRowChunks, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import { TopTokens, type LensReadout } from '../lens.js';
import { readRows, withShape, type RowMatrix } from './row-source.js';

export interface LensLogitsOptions {
  /** tokens reported each way (default 20) */
  top?: number;
  /** largest chunk of W_E rows uploaded at once (default: what one storage binding holds) */
  chunkRows?: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * z = W_E · v for every lens vector v, and the top tokens of each. W_E [vocab, hidden] is streamed from
 * `embedding` one row chunk at a time (256000 × 3584 f32 is 3.7 GB, over any binding limit, and need not
 * stay resident): each chunk is one x·Wᵀ on the GPU whose [vectors, chunk] block is read back and folded
 * into running top-k lists on the CPU.
 * @param vectors [count, hidden] lens vectors (rows)
 */
export async function lensLogitsGpu(gpu: Gpu, vectors: readonly ArrayLike<number>[], embedding: RowMatrix, options: LensLogitsOptions = {}): Promise<LensReadout[]> {
  const { rows: vocab, cols: hidden } = embedding;
  const m = vectors.length;
  if (m === 0) return [];
  vectors.forEach((v, i) => {
    if (v.length !== hidden) throw new Error(`lens vector ${i} has ${v.length} values; the embedding has ${hidden} columns`);
  });
  const limit = maxBindingBytes(gpu);
  // a chunk's output [m, rows] must fit one binding as well as the chunk itself
  const fit = Math.max(1, Math.floor(limit / (4 * Math.max(hidden, m))));
  const plan = planRowChunks(vocab, hidden, Math.min(options.chunkRows ?? fit, fit) * hidden * 4);
  const tops = vectors.map(() => new TopTokens(options.top ?? 20));
  const x = new Float32Array(m * hidden);
  vectors.forEach((v, i) => x.set(Float32Array.from(v), i * hidden));
  const progress = progressReporter('compare', vocab, options.onProgress);
  const owned: GpuTensor[] = [];
  try {
    const xt = gpu.upload(x, [m, hidden], 'f32', 'lens.vectors');
    owned.push(xt);
    const w = gpu.empty([plan[0].rowCount, hidden], 'f32', 'lens.embedding');
    owned.push(w);
    const z = gpu.empty([m, plan[0].rowCount], 'f32', 'lens.z');
    owned.push(z);
    for (const { rowStart, rowCount } of plan) {
      throwIfAborted(options.signal, 'activation-difference lens');
      gpu.write(w, await readRows(embedding, rowStart, rowCount));
      const zc = withShape(z, [m, rowCount]);
      await matmulTransB(gpu, xt, withShape(w, [rowCount, hidden]), { out: zc });
      const block = new Float32Array(await gpu.readBytes(zc, m * rowCount * 4));
      for (let i = 0; i < m; i++) tops[i].push(block.subarray(i * rowCount, (i + 1) * rowCount), rowStart);
      progress.update(rowStart + rowCount);
    }
  } finally {
    gpu.release(...owned);
  }
  progress.finish(vocab);
  return tops.map((t) => t.readout());
}
