import { loadLoraAdapter, modelFilesFromMap, modelFilesFromUrl, openGemma2Checkpoint, readAllBytes, type LoraAdapter, type ModelFiles } from '../../formats/index.js';
import { acquireGpu } from '../../gpu/index.js';
import { GemmaEngine, type AdapterSource, type ForwardOutput, type ModelDtype, type ModelSource } from '../../model/index.js';
import type { ProgressCallback } from '../../progress/index.js';
import { exportActivations, type ActivationStatsJson, type ActivationStore, type RunManifest } from '../../store/index.js';
import { datasetFromTokenIds, packDataset, type PackedDataset, type PackOptions } from '../dataset-pack.js';
import { parseDocuments, type DatasetSource } from '../dataset.js';
import { loadTokenizer, loadTokenizerFromUrl, type TextTokenizer, type TokenizerFiles } from '../tokenizer.js';
import { fingerprintModel, fingerprintSource, sha256Hex } from './identity.js';
import { extractDeltas, type ExtractionOptions, type ExtractionResult, type OpenedEngine } from './run.js';

/** Text to tokenise and pack, or token ids given directly. */
export type ExtractData =
  | { kind: 'text'; source: DatasetSource; tokenizer: { files: TokenizerFiles; name: string } | { url: string; token?: string }; pack: PackOptions }
  | { kind: 'tokens'; ids: Int32Array; numSequences: number; seqLen: number; bosId: number; heldOutFraction?: number; splitSeed?: number };

/** A whole extraction as plain, structured-cloneable data (what the worker and the CLI page receive). */
export interface ExtractRequest {
  model: ModelSource;
  adapters: AdapterSource[];
  /** Weights on the GPU. */
  modelDtype: ModelDtype;
  /** Tokens per stream the engine runs at once (default: the engine's). */
  maxBatchTokens?: number;
  data: ExtractData;
  options: ExtractionOptions;
}

export interface ExtractCallbacks {
  store: ActivationStore;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  onShard?: (m: RunManifest) => void | Promise<void>;
  /**
   * After each forward pass, before its outputs are released; `ids` is the pass's view into the dataset's
   * ids (a shard redone after a lost device passes the same views again).
   */
  onForward?: (ids: Int32Array, out: ForwardOutput) => void;
}

function modelFiles(src: ModelSource): ModelFiles {
  return src.kind === 'url' ? modelFilesFromUrl(src.baseUrl, src.token) : modelFilesFromMap(src.files, src.label);
}

async function buildDataset(data: ExtractData): Promise<{ dataset: PackedDataset; tokenizer: TextTokenizer | null }> {
  if (data.kind === 'tokens') {
    const split = { heldOutFraction: data.heldOutFraction ?? 0, splitSeed: data.splitSeed ?? 0 };
    return { dataset: await datasetFromTokenIds(data.ids, data.numSequences, data.seqLen, data.bosId, split), tokenizer: null };
  }
  const docs = parseDocuments(data.source);
  const tokenizer = 'url' in data.tokenizer ? await loadTokenizerFromUrl(data.tokenizer.url, data.tokenizer.token) : await loadTokenizer(data.tokenizer.files, data.tokenizer.name);
  return { dataset: await packDataset(docs, tokenizer, data.pack, data.source.name), tokenizer };
}

/**
 * Validates and opens every input (dataset, model header, adapters) before any GPU work, fingerprints
 * them, and runs (or resumes) the extraction. The engine is loaded only when shards remain.
 */
export async function runExtraction(req: ExtractRequest, cb: ExtractCallbacks): Promise<ExtractionResult> {
  const { dataset, tokenizer } = await buildDataset(req.data);
  const files = modelFiles(req.model);
  const { config, checkpoint } = await openGemma2Checkpoint(files);
  const adapters: LoraAdapter[] = [];
  const adapterIds = [];
  for (const a of req.adapters) {
    adapters.push(await loadLoraAdapter({ config: a.config, weights: a.weights }, a.name, config));
    const cfgHash = await sha256Hex(await readAllBytes(a.config, `${a.name}/adapter_config.json`));
    adapterIds.push({ name: a.name, sha256: await sha256Hex(`${cfgHash}\n${await fingerprintSource(a.weights, `${a.name}/adapter_model.safetensors`)}`) });
  }
  const openEngine = async (): Promise<OpenedEngine> => {
    const gpu = await acquireGpu();
    try {
      const engine = await GemmaEngine.load(gpu, checkpoint, config, adapters, {
        dtype: req.modelDtype,
        layers: req.options.layers,
        ...(req.maxBatchTokens ? { maxBatchTokens: req.maxBatchTokens } : {}),
        signal: cb.signal,
      });
      return {
        gpu,
        engine: {
          adapterNames: engine.adapterNames,
          forward: async (ids, b, s, counted) => {
            const out = await engine.forward(ids, b, s, counted);
            try {
              cb.onForward?.(ids, out);
            } catch (e) {
              out.release();
              throw e;
            }
            return out;
          },
          dispose: () => {
            engine.dispose();
            gpu.destroy();
          },
        },
      };
    } catch (e) {
      gpu.destroy();
      throw e;
    }
  };
  return extractDeltas(
    {
      dataset,
      model: { sha256: await fingerprintModel(files), dtype: req.modelDtype, hidden: config.hiddenSize },
      adapters: adapterIds,
      tokenizer: tokenizer ? { name: tokenizer.name, sha256: tokenizer.sha256 } : null,
      options: req.options,
    },
    { store: cb.store, openEngine, signal: cb.signal, onProgress: cb.onProgress, onShard: cb.onShard },
  );
}

/**
 * What the CLI's `extract` writes (activations.safetensors + stats.json), produced through the store:
 * run (or resume) the extraction, export it, and delete the run unless `keep`.
 */
export async function extractActivations(req: ExtractRequest, cb: ExtractCallbacks & { keep?: boolean }): Promise<{ safetensors: Uint8Array; stats: ActivationStatsJson; manifest: RunManifest }> {
  const r = await runExtraction(req, cb);
  const out = await exportActivations(cb.store, r.runId);
  if (!cb.keep) await cb.store.deleteRun(r.runId);
  return { ...out, manifest: r.manifest };
}
