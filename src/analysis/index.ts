// Metrics and controls: CPU float64 for small products, GPU kernels for big decoders and held-out data.
export type { Matrix, MatrixLike } from './cpu/matrix.js';
export { matmul, matmulTN, toMatrix, transpose, zeros } from './cpu/matrix.js';
export type { Svd } from './cpu/svd.js';
export { qr, singularValues, svd, symmetricEigen } from './cpu/svd.js';
export type { MaxCosine } from './cpu/cosine.js';
export { MATCH_THRESHOLDS, cosineBin, cosineMatrix, fractionAbove, histogram, maxCosine, mean, unitRows } from './cpu/cosine.js';
export type { PrincipalAngles } from './cpu/subspace.js';
export { decoderPrincipalAngles, principalAngles, topRightSingularVectors } from './cpu/subspace.js';
export type { CkaOptions } from './cpu/cka.js';
export { linearCka } from './cpu/cka.js';
export type { Activation, SaeDictionary } from './sae-dictionary.js';
export { activationOf, checkSaeShapes } from './sae-dictionary.js';
export type { SaeOutputs } from './cpu/sae-encode.js';
export { encodeSae, evaluateSae, evaluateSaeDifference, expectedNormScale } from './cpu/sae-encode.js';
export type { DensityHistogram, ReconstructionMetrics } from './reconstruction.js';
export { ReconstructionAccumulator, densityHistogram } from './reconstruction.js';
export type { CompareOptions, DecoderComparison } from './compare-decoders.js';
export { compareDecoders, comparisonJson, usableKs } from './compare-decoders.js';
export type { BootstrapCi, BootstrapOptions, MaxCosineNull } from './controls.js';
export {
  bootstrapCi,
  bootstrapMean,
  bootstrapReconstruction,
  loraProductNormSquared,
  maxCosineNull,
  normMatchedRandomLora,
  randomFloor,
  randomUnitDirections,
  seedCeiling,
} from './controls.js';
export { Rng } from './random.js';
export type { LoraModuleSvd, WeightSpaceOptions, WeightSpaceRow } from './weight-space.js';
export { loraModuleSvd, weightSpaceView } from './weight-space.js';
export { centreColumns, ckaFromTerms } from './cpu/cka.js';
export type { Denormalisation } from './sae-dictionary.js';
export { normaliseRow } from './sae-dictionary.js';
export type { LensReadout, LensToken } from './lens.js';
export { DeltaMeans, LENS_POSITIONS, TopTokens, lensVector } from './lens.js';
export type { DoseDeltas } from './dose.js';
export { DOSE_ALPHAS, DOSE_LINEARITY_BINS, DOSE_ONSET_FRACTION, DOSE_RESPONSIVE_FRACTION, DOSE_TOP_LATENTS, doseLinearity, doseResponse, meanLatentActivations, meanRowNorm } from './dose.js';
export type { ActsBlock, LatentContext, LatentScanResult } from './latents.js';
export { CONTEXT_AFTER, CONTEXT_BEFORE, LATENT_CONTEXTS, LATENT_HISTOGRAM_BINS, LatentHistograms, LatentScan, histogramBin, topLatentsByShare } from './latents.js';
// GPU paths (WebGPU; big decoders and held-out data), loaded lazily so this index stays importable in Node.
export type { RowMatrix } from './gpu/row-source.js';
export { rowMatrix } from './gpu/row-source.js';
export type { GpuMaxCosine, GpuMaxCosineOptions } from './gpu/decoder-cosine.js';
export type { RandomizedSvdOptions, TopSubspace } from './gpu/randomized-svd.js';
export type { GpuCompareOptions } from './gpu/compare-decoders.js';
export type { GpuSaeEvalOptions } from './gpu/sae-evaluate.js';
export type { LensLogitsOptions } from './gpu/lens-logits.js';
export type { LatentScanGpuResult, LatentScanOptions, SequencePieces } from './gpu/latent-scan.js';
export { compareDecodersGpu, evaluateSaeGpu, latentScanGpu, lensLogitsGpu, linearCkaGpu, maxCosineGpu, randomizedTopSubspaceGpu } from './gpu/lazy.js';
export { crossDictionaryCosines, dictionaryCosines, directionCosines } from './across-adapters.js';
