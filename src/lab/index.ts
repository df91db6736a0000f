// The lab: the experiment plan and its orchestration (stages, progress, cancellation), run configs, inputs.
export * from './progress.js';
export * from './run-config.js';
export * from './experiment.js';
export { BUILD_INFO } from './build-info.js';
export * from './experiment-inputs.js';
export { bundleContents } from './experiment-bundle.js';
export { loadTokenizer, loadTokenizerFromHub, loadTokenizerFromUrl, type TextTokenizer, type TokenizerFiles } from './tokenizer.js';
export { ALPACA_TEMPLATES, datasetFormatOf, fetchSampleDataset, parseDocuments, type DatasetSource, type PromptTemplates } from './dataset.js';
export { datasetFromTokenIds, heldOutSplit, packDataset, validatePackOptions, type PackedDataset, type PackOptions } from './dataset-pack.js';
export * from './extraction/index.js';
export { demoRunConfig } from './demo-config.js';
export { runLens, type RunLensOptions } from './activation-lens.js';
export { clearSaeCheckpoints } from './experiment-train.js';
export { EXTRACT_BATCH_SEQUENCES } from './experiment-load.js';
export { experimentWorkerRunner, type ExperimentRunner } from './experiment-worker-client.js';
export { runBrowserExperiment } from './experiment-browser.js';
export { createExperimentApi, type ExperimentApi } from './experiment-worker-api.js';
