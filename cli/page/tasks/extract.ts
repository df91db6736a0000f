import { InputError } from '../../../src/errors/index.js';
import { fetchRequiredFile, parseNpy } from '../../../src/formats/index.js';
import { addLocalWrites, datasetFormatOf, extractActivations, type ExtractCallbacks, type ExtractData, type ExtractRequest } from '../../../src/lab/index.js';
import { MODEL_DTYPES, type ForwardOutput, type ModelDtype } from '../../../src/model/index.js';
import { ActivationStore, type ActivationStatsJson, type LocalWriteSum } from '../../../src/store/index.js';
import { putOutput, reportProgress } from '../outputs.js';

export interface ExtractArgs {
  /** http(s) base URL of the model folder; otherwise files.model is the served local folder */
  modelUrl?: string;
  /** adapter folder names, in order; their folders are served as files['adapter<i>'] */
  adapters: string[];
  layers: number[];
  dtype: ModelDtype;
  saveBase: boolean;
  /** positions per sequence when tokenising --text (BOS included) */
  seqLen: number;
  /** tokens per stream per forward */
  maxBatchTokens: number;
  /** the --text file's name (a .jsonl name selects JSON lines) */
  textName?: string;
  /** set by the harness: key → URL */
  files: Record<string, string>;
}

/** stats.json: the store's per layer × adapter norms plus the run's shape and the adapters' local norms. */
export interface ExtractStats extends ActivationStatsJson {
  sequences: number;
  positions: number;
  hidden: number;
  dtype: ModelDtype;
  /** mean ‖scaling·B·A·x‖ of each adapted module (its local change) over text tokens (BOS and padding excluded) */
  lora_local_norms: { adapter: string; layer: number; module: string; mean_norm: number }[];
}

/** Gemma's <bos>, for a model config.json without bos_token_id. */
const GEMMA_BOS_ID = 2;

async function fetchBytes(url: string, name: string): Promise<ArrayBuffer> {
  return (await fetchRequiredFile(url, name)).arrayBuffer();
}

/** --tokens (int32/int64 [sequences, positions] .npy) or --text + --tokenizer, as the store path's input. */
export async function extractData(args: ExtractArgs, modelUrl: string): Promise<ExtractData> {
  if (args.files.tokens) {
    const a = parseNpy(await fetchBytes(args.files.tokens, 'tokens'), 'tokens');
    if (a.shape.length !== 2) throw new InputError('tokens', `expected a 2-D [sequences, positions] array, got shape [${a.shape.join(', ')}]`);
    const ids = a.data instanceof Int32Array ? a.data : a.data instanceof BigInt64Array ? Int32Array.from(a.data, (v) => Number(v)) : null;
    if (!ids) throw new InputError('tokens', `expected int32 or int64 ids, got ${a.dtype}`);
    // the BOS id marks which positions the *_excluding_bos statistics skip
    const config = JSON.parse(new TextDecoder().decode(await fetchBytes(`${modelUrl}config.json`, 'config.json'))) as { bos_token_id?: unknown };
    const bosId = typeof config.bos_token_id === 'number' ? config.bos_token_id : GEMMA_BOS_ID;
    return { kind: 'tokens', ids, numSequences: a.shape[0], seqLen: a.shape[1], bosId };
  }
  const name = args.textName ?? 'text';
  const content = new TextDecoder().decode(await fetchBytes(args.files.text, name));
  return {
    kind: 'text',
    source: { name, format: datasetFormatOf(name), content },
    tokenizer: { url: args.files.tokenizer },
    pack: { seqLen: args.seqLen, packing: 'concat', heldOutFraction: 0, splitSeed: 0 },
  };
}

/**
 * Token-weighted means of the engine's per-pass LoRA norms; passes are keyed by their place in the
 * dataset, so a pass redone after a lost device replaces its first result.
 */
/** The extraction of the CLI's served model and adapters; f32 storage keeps the engine's numbers bit for bit. */
export function extractionRequest(args: ExtractArgs, modelUrl: string, data: ExtractData, saveBase: boolean): ExtractRequest {
  const positions = data.kind === 'tokens' ? data.seqLen : args.seqLen;
  return {
    model: { kind: 'url', baseUrl: modelUrl },
    adapters: args.adapters.map((name, i) => ({
      name,
      config: { url: `${args.files[`adapter${i}`]}adapter_config.json` },
      weights: { url: `${args.files[`adapter${i}`]}adapter_model.safetensors` },
    })),
    modelDtype: args.dtype,
    maxBatchTokens: args.maxBatchTokens,
    data,
    options: { layers: [...new Set(args.layers)].sort((a, b) => a - b), dtype: 'f32', saveBase, batchSize: Math.max(1, Math.floor(args.maxBatchTokens / positions)) },
  };
}

export function reportExtractionProgress(p: Parameters<NonNullable<ExtractCallbacks['onProgress']>>[0]): void {
  reportProgress(`${p.stage}: ${p.done}/${p.total}${p.stage === 'extract' ? ` tokens, ${p.perSecond.toFixed(0)} tokens/s` : ''}`);
}

function loraNormAccumulator() {
  const passes = new Map<number, ForwardOutput['loraNorms']>();
  return {
    onForward(ids: Int32Array, out: ForwardOutput): void {
      passes.set(ids.byteOffset, out.loraNorms);
    },
    means(): ExtractStats['lora_local_norms'] {
      const sums = new Map<string, LocalWriteSum>();
      for (const norms of passes.values()) addLocalWrites(sums, norms);
      return [...sums.values()].map((e) => ({ adapter: e.adapter, layer: e.layer, module: e.module, mean_norm: e.tokens > 0 ? e.sumNorm / e.tokens : 0 }));
    },
  };
}

/**
 * `deltascope extract`, page side: runs the extraction through the activation store (the app's own
 * path, in a database of this run only) and sends back its export: activations.safetensors
 * (delta.<adapter>.<layer>, and base.<layer> / ft.<adapter>.<layer> with --save-base, each
 * [sequences, positions, hidden] f32) and stats.json.
 */
export async function extract(args: ExtractArgs): Promise<ExtractStats> {
  if (!MODEL_DTYPES.includes(args.dtype)) throw new InputError('--dtype', `"${args.dtype}" is not one of ${MODEL_DTYPES.join(', ')}`);
  const modelUrl = args.modelUrl ?? args.files.model;
  const data = await extractData(args, modelUrl);
  const lora = loraNormAccumulator();
  const { safetensors, stats, manifest } = await extractActivations(
    extractionRequest(args, modelUrl, data, args.saveBase),
    {
      store: ActivationStore.open(`deltascope-cli-${crypto.randomUUID()}`),
      onForward: (ids, out) => lora.onForward(ids, out),
      onProgress: reportExtractionProgress,
    },
  );
  await putOutput('activations.safetensors', safetensors);
  const result: ExtractStats = {
    sequences: manifest.numSequences,
    positions: manifest.seqLen,
    hidden: manifest.hidden,
    dtype: args.dtype,
    ...stats,
    lora_local_norms: lora.means(),
  };
  await putOutput('stats.json', `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
