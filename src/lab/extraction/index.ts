export { addLocalWrites, extractDeltas, validateExtraction, type ExtractionContext, type ExtractionEngine, type ExtractionInput, type ExtractionOptions, type ExtractionResult, type OpenedEngine } from './run.js';
export { fingerprintModel, fingerprintSource, sha256Hex } from './identity.js';
export { extractActivations, runExtraction, type ExtractCallbacks, type ExtractData, type ExtractRequest } from './request.js';
export { createExtractApi, summarizeRun, type ExtractApi, type ExtractOutcome, type RunSummary } from './api.js';
