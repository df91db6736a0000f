import { InputError } from '../../../src/errors/index.js';
import { modelFilesFromUrl, openGemma2Checkpoint, type Lens } from '../../../src/formats/index.js';
import { acquireGpu } from '../../../src/gpu/index.js';
import { loadTokenizerFromUrl, runExtraction, runLens } from '../../../src/lab/index.js';
import { MODEL_DTYPES } from '../../../src/model/index.js';
import { ActivationStore } from '../../../src/store/index.js';
import { reportProgress } from '../outputs.js';
import { extractData, extractionRequest, reportExtractionProgress, type ExtractArgs } from './extract.js';

export interface LensArgs extends ExtractArgs {
  /** tokens reported each way */
  top: number;
}

/** Every (layer, adapter) readout; the CLI prints the promoted/suppressed lists, --out keeps all of it. */
export interface LensOutput {
  top: number;
  entries: Lens[];
}

/**
 * `deltascope lens`, page side: extracts the deltas through the activation store (the app's own path, in a
 * database of this run only), then reads the lens of each stored (layer, adapter) through W_E on the GPU.
 */
export async function lens(args: LensArgs): Promise<LensOutput> {
  if (!MODEL_DTYPES.includes(args.dtype)) throw new InputError('--dtype', `"${args.dtype}" is not one of ${MODEL_DTYPES.join(', ')}`);
  const modelUrl = args.modelUrl ?? args.files.model;
  const data = await extractData(args, modelUrl);
  const store = ActivationStore.open(`deltascope-cli-${crypto.randomUUID()}`);
  // f32 storage: the means see the engine's deltas bit for bit
  const { runId } = await runExtraction(extractionRequest(args, modelUrl, data, false), { store, onProgress: reportExtractionProgress });
  const tokenizer = args.files.tokenizer ? await loadTokenizerFromUrl(args.files.tokenizer) : null;
  const gpu = await acquireGpu();
  try {
    const entries = await runLens(gpu, store, runId, await openGemma2Checkpoint(modelFilesFromUrl(modelUrl)), {
      top: args.top,
      decode: tokenizer ? (id) => tokenizer.decode([id], false) : undefined,
      onProgress: (p) => reportProgress(`lens: ${p.done}/${p.total} vocabulary rows`),
    });
    return { top: args.top, entries };
  } finally {
    gpu.destroy();
    await store.deleteRun(runId);
  }
}
