/** Every WGSL kernel of src/analysis and its typed wrapper (GPU-only: imports WGSL through Vite's ?raw). */
export { cosineMaxMerge, cosineMaxMergeKernel, type MergeTarget } from './cosine-max-merge.js';
export { COSINE_STRIP, MAX_HISTOGRAM_BINS, cosineMaxTile, cosineMaxTileKernel, quadsFor, stripsFor, type CosineTilePartials } from './cosine-max-tile.js';
export { normalizeRowsKernel, normalizeRowsTransposed, paddedRows } from './normalize-rows.js';
export { rowSqError, rowSqErrorKernel } from './row-sq-error.js';
export { saeActivate, saeActivateKernel } from './sae-activate.js';
export { topkCut, topkCutKernel } from './topk-cut.js';
