// The GPU entry points, loaded on first use: their modules import WGSL through Vite's ?raw, which plain Node
// (the CLI's CPU paths, unit tests) cannot load, so src/analysis/index.ts must not import them statically.
import type { Gpu } from '../../gpu/index.js';
import type { CkaOptions } from '../cpu/cka.js';
import type { MatrixLike } from '../cpu/matrix.js';
import type { DecoderComparison } from '../compare-decoders.js';
import type { ReconstructionMetrics } from '../reconstruction.js';
import type { SaeDictionary } from '../sae-dictionary.js';
import type { GpuCompareOptions } from './compare-decoders.js';
import type { GpuMaxCosine, GpuMaxCosineOptions } from './decoder-cosine.js';
import type { RandomizedSvdOptions, TopSubspace } from './randomized-svd.js';
import type { RowMatrix } from './row-source.js';
import type { GpuSaeEvalOptions } from './sae-evaluate.js';
import type { LensReadout } from '../lens.js';
import type { LensLogitsOptions } from './lens-logits.js';
import type { LatentScanGpuResult, LatentScanOptions, SequencePieces } from './latent-scan.js';

/** Max cosine and argmax both ways on the GPU, chunked (see gpu/decoder-cosine.ts). */
export async function maxCosineGpu(gpu: Gpu, a: RowMatrix, b: RowMatrix, options?: GpuMaxCosineOptions): Promise<GpuMaxCosine> {
  return (await import('./decoder-cosine.js')).maxCosineGpu(gpu, a, b, options);
}

/** Top-k right singular subspace by randomised subspace iteration on the GPU (see gpu/randomized-svd.ts). */
export async function randomizedTopSubspaceGpu(gpu: Gpu, a: RowMatrix, k: number, options?: RandomizedSvdOptions): Promise<TopSubspace> {
  return (await import('./randomized-svd.js')).randomizedTopSubspaceGpu(gpu, a, k, options);
}

/** compareDecoders for big decoders, on the GPU (see gpu/compare-decoders.ts). */
export async function compareDecodersGpu(gpu: Gpu, a: RowMatrix, b: RowMatrix, options?: GpuCompareOptions): Promise<DecoderComparison> {
  return (await import('./compare-decoders.js')).compareDecodersGpu(gpu, a, b, options);
}

/** §5 reconstruction and density metrics with the SAE encoded on the GPU (see gpu/sae-evaluate.ts). */
export async function evaluateSaeGpu(gpu: Gpu, sae: SaeDictionary, x: RowMatrix, options?: GpuSaeEvalOptions): Promise<ReconstructionMetrics> {
  return (await import('./sae-evaluate.js')).evaluateSaeGpu(gpu, sae, x, options);
}

/** Linear CKA with the feature products on the GPU (see gpu/cka.ts). */
export async function linearCkaGpu(gpu: Gpu, x: MatrixLike, y: MatrixLike, options?: Omit<CkaOptions, 'form'> & { chunkRows?: number; signal?: AbortSignal }): Promise<number> {
  return (await import('./cka.js')).linearCkaGpu(gpu, x, y, options);
}

/** The activation-difference lens readout z = W_E · v of each lens vector, W_E streamed in row chunks (see gpu/lens-logits.ts). */
export async function lensLogitsGpu(gpu: Gpu, vectors: readonly ArrayLike<number>[], embedding: RowMatrix, options?: LensLogitsOptions): Promise<LensReadout[]> {
  return (await import('./lens-logits.js')).lensLogitsGpu(gpu, vectors, embedding, options);
}

/** Delta-feature dashboard statistics of every latent over all stored deltas, encoded on the GPU (see gpu/latent-scan.ts). */
export async function latentScanGpu(gpu: Gpu, sae: SaeDictionary, data: SequencePieces, options?: LatentScanOptions): Promise<LatentScanGpuResult> {
  return (await import('./latent-scan.js')).latentScanGpu(gpu, sae, data, options);
}
