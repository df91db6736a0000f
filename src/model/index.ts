// The Gemma-2 engine: weights on the GPU (f32/f16/q8/q4), base + K LoRA streams, residual hooks, deltas.
export { GemmaEngine } from './engine.js';
export { estimateMemory, formatBytes, projectionBytes, whatFits, type DtypeFit, type FitRequest, type MemoryEstimate, type MemoryLimits, type MemoryRequest, type NoFit } from './memory.js';
export { MODEL_DTYPES, type EngineOptions, type ForwardOutput, type LoraNorm, type ModelDtype } from './types.js';
export { quantizeRows, packF16Rows, roundHalfEven, type PackedRows } from './quantize.js';
export { createModelApi, type AdapterSource, type HostForward, type LoadedModel, type LoadRequest, type ModelApi, type ModelSource } from './worker-api.js';
