export { acquireGpu, Gpu, NO_WEBGPU_HELP, type AcquireOptions, type GpuInfo, type RunOptions } from './gpu.js';
export { foldWorkgroups } from './dispatch.js';
export { adapterKey, autotune, setTuneStore, sizeClass, type TuneCandidate, type TuneOptions, type TuneStore } from './autotune.js';
export { workgroupProblem } from './workgroup-limits.js';
export { forceVariantFamily, isCpuAdapter, variantFamily, type VariantFamily } from './variants.js';
export { packParams, type ParamField } from './params.js';
export { PipelineCache, type Kernel, type Overrides } from './pipelines.js';
export { BufferPool } from './pool.js';
export { BYTES_PER_ELEMENT, expectShape, numel, shapeString, tensorBytes, type GpuDtype, type GpuTensor } from './tensor.js';
export {
  matmulTransBChunked,
  maxBindingBytes,
  planRowChunks,
  releaseChunks,
  splitRows,
  type RowChunk,
  type RowChunks,
  type RowSource,
  type SplitRowsOptions,
} from './chunked.js';
export * from './kernels/index.js';
