import { throwIfAborted } from '../../errors/index.js';
import type { Gpu } from '../../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import { LatentHistograms, LatentScan, topLatentsByShare, type ActsBlock, type LatentScanResult } from '../latents.js';
import type { SaeDictionary } from '../sae-dictionary.js';
import { SaeActsGpu } from './sae-acts.js';

/** Deltas of a run as pieces of whole sequences (the store's shards), each readable more than once. */
export interface SequencePieces {
  seqLen: number;
  pieces: readonly { sequenceStart: number; sequences: number; read: () => Promise<{ x: Float32Array; kinds: Uint8Array }> }[];
}

export interface LatentScanOptions {
  /** latents that get a histogram: the most variance-explaining ones (default 48) */
  dashboards?: number;
  /** dataset scale for 'expected_average_only_in' (default 1: delta SAEs fold their input scale in) */
  normScale?: number;
  /** tokens per GPU batch (default 4096; at least one sequence) */
  batchRows?: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface LatentScanGpuResult extends LatentScanResult {
  /** the dashboard latents, by variance share descending, with their histograms of positive activations */
  dashboards: { index: number; histogram: { edges: number[]; counts: number[] } }[];
}

/**
 * Two passes over every stored delta: the first encodes all tokens on the GPU and folds frequency, variance
 * share, maxima and top contexts on the CPU; the second bins the dashboard latents' activations over
 * [0, max], which the first pass had to find.
 */
export async function latentScanGpu(gpu: Gpu, sae: SaeDictionary, data: SequencePieces, options: LatentScanOptions = {}): Promise<LatentScanGpuResult> {
  const { dIn: d, dSae: m } = sae;
  const encoder = SaeActsGpu.create(gpu, sae, Math.max(options.batchRows ?? 4096, data.seqLen));
  const total = data.pieces.reduce((s, p) => s + p.sequences, 0);
  const progress = progressReporter('evaluate', 2 * total, options.onProgress);
  let done = 0;
  const pass = async (fold: (b: ActsBlock) => void) => {
    const group = Math.max(1, Math.floor(encoder.batchRows / data.seqLen));
    for (const piece of data.pieces) {
      const { x, kinds } = await piece.read();
      if (kinds.length !== piece.sequences * data.seqLen || x.length !== kinds.length * d) throw new Error(`latent scan: piece at sequence ${piece.sequenceStart} has ${x.length} values for ${piece.sequences} × ${data.seqLen} tokens of ${d}`);
      for (let s = 0; s < piece.sequences; s += group) {
        throwIfAborted(options.signal, 'latent dashboards');
        const n = Math.min(group, piece.sequences - s);
        const rows = n * data.seqLen;
        const bx = x.subarray(s * data.seqLen * d, s * data.seqLen * d + rows * d);
        const { acts, scale } = await encoder.encode(bx, rows, options.normScale ?? 1);
        fold({ sequenceStart: piece.sequenceStart + s, seqLen: data.seqLen, kinds: kinds.subarray(s * data.seqLen, s * data.seqLen + rows), acts, scale, x: bx });
        progress.update((done += n));
      }
    }
  };
  try {
    const scan = new LatentScan(m, d, sae.W_dec);
    await pass((b) => scan.add(b));
    const result = scan.result();
    const chosen = topLatentsByShare(result.varianceShare, Math.min(m, options.dashboards ?? 48));
    const hist = new LatentHistograms(m, chosen, chosen.map((i) => result.maxActivation[i]));
    await pass((b) => hist.add(b));
    progress.finish();
    return { ...result, dashboards: chosen.map((index, k) => ({ index, histogram: hist.histogram(k) })) };
  } finally {
    encoder.release();
  }
}
