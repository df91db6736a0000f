/** Every WGSL kernel and its typed wrapper. */
export { add, addKernel } from './add.js';
export {
  DEFAULT_MATMUL_TILE,
  defaultMatmulVariant,
  gemm,
  gemmExtent,
  matmul,
  matmulKernels,
  matmulTransA,
  matmulTransB,
  type GemmDesc,
  type GemmPrecision,
  type MatmulOptions,
  type MatmulTile,
  type MatmulVariant,
  type OperandLayout,
} from './matmul.js';
export { tiledCandidates, tiledKernels, type TiledCandidate } from './matmul-tiled.js';
export { elementwiseKernels, fill, mul, scale, sub } from './elementwise.js';
export { copyRegion, copyRegionKernel, type Region } from './copy-region.js';
export { transpose, transposeKernel } from './transpose.js';
export { reduceRowsKernels, rowMax, rowSum, rowSumSquares, sumAll, type RowReduction } from './reduce-rows.js';
export { softmaxRows, softmaxRowsKernel } from './softmax-rows.js';
