import type { Gpu } from '../../gpu/index.js';
import type { ProgressCallback } from '../../progress/index.js';
import type { DecoderComparison } from '../compare-decoders.js';
import { MATCH_THRESHOLDS, fractionAbove, mean } from '../cpu/cosine.js';
import { leadingColumns } from '../cpu/matrix.js';
import { principalAngles } from '../cpu/subspace.js';
import { maxCosineGpu } from './decoder-cosine.js';
import { randomizedTopSubspaceGpu, type RandomizedSvdOptions } from './randomized-svd.js';
import type { RowMatrix } from './row-source.js';

export interface GpuCompareOptions {
  ks?: readonly number[];
  histogramBins?: number;
  chunkRows?: number;
  svd?: Omit<RandomizedSvdOptions, 'onProgress' | 'signal'>;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/**
 * compareDecoders for big decoders: max-cosine matching on the GPU (chunked, never the full matrix) and
 * principal angles between top-k subspaces from the GPU randomised SVD.
 */
export async function compareDecodersGpu(gpu: Gpu, a: RowMatrix, b: RowMatrix, options: GpuCompareOptions = {}): Promise<DecoderComparison> {
  const mc = await maxCosineGpu(gpu, a, b, { histogramBins: options.histogramBins, chunkRows: options.chunkRows, onProgress: options.onProgress, signal: options.signal });
  const ks = (options.ks ?? [8, 16]).filter((k) => Number.isInteger(k) && k >= 1 && k <= Math.min(a.rows, b.rows, a.cols));
  const principal: Record<string, number[]> = {};
  const cosines: Record<string, number[]> = {};
  if (ks.length) {
    const kMax = Math.max(...ks);
    const svdOpts = { ...options.svd, signal: options.signal };
    const sa = await randomizedTopSubspaceGpu(gpu, a, kMax, svdOpts);
    const sb = await randomizedTopSubspaceGpu(gpu, b, kMax, { ...svdOpts, seed: (options.svd?.seed ?? 0) + 1 });
    for (const k of ks) {
      const pa = principalAngles(leadingColumns(sa.v, k), leadingColumns(sb.v, k));
      principal[String(k)] = Array.from(pa.angles);
      cosines[String(k)] = Array.from(pa.cosines);
    }
  }
  return {
    maxCosA: Float64Array.from(mc.maxCosA),
    argmaxA: mc.argmaxA,
    maxCosB: Float64Array.from(mc.maxCosB),
    argmaxB: mc.argmaxB,
    meanMaxCosA: mean(mc.maxCosA),
    meanMaxCosB: mean(mc.maxCosB),
    fracAAbove: fractionAbove(mc.maxCosA, MATCH_THRESHOLDS),
    fracBAbove: fractionAbove(mc.maxCosB, MATCH_THRESHOLDS),
    principalAngles: principal,
    principalCosines: cosines,
    ...(mc.cosineHistogram ? { cosineHistogram: mc.cosineHistogram } : {}),
  };
}
