import { InputError } from '../../../src/errors/index.js';
import { parseNpy, writeSafetensors, type TensorToWrite } from '../../../src/formats/index.js';
import { loadTokenizerFromUrl, packDataset, parseDocuments, datasetFormatOf } from '../../../src/lab/index.js';
import { createModelApi, MODEL_DTYPES, type ModelDtype } from '../../../src/model/index.js';
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

export interface ExtractStats {
  sequences: number;
  positions: number;
  hidden: number;
  dtype: ModelDtype;
  layers: number[];
  adapters: string[];
  /** [adapter][layer]: mean over all tokens (BOS included) of ‖delta‖₂, float64 */
  mean_delta_norm: number[][];
  /** the same without position 0 (BOS) */
  mean_delta_norm_excl_bos: number[][];
  /** mean ‖scaling·B·A·x‖ of each adapted module (its local change) */
  lora_local_norms: { adapter: string; layer: number; module: string; mean_norm: number }[];
}

async function fetchBytes(url: string, name: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new InputError(name, `HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** [sequences, positions] token ids from --tokens (int32/int64 .npy) or --text + --tokenizer. */
async function loadIds(args: ExtractArgs): Promise<{ ids: Int32Array; sequences: number; positions: number }> {
  if (args.files.tokens) {
    const a = parseNpy(await fetchBytes(args.files.tokens, 'tokens'), 'tokens');
    if (a.shape.length !== 2) throw new InputError('tokens', `expected a 2-D [sequences, positions] array, got shape [${a.shape.join(', ')}]`);
    const ids = a.data instanceof Int32Array ? a.data : a.data instanceof BigInt64Array ? Int32Array.from(a.data, (v) => Number(v)) : null;
    if (!ids) throw new InputError('tokens', `expected int32 or int64 ids, got ${a.dtype}`);
    return { ids, sequences: a.shape[0], positions: a.shape[1] };
  }
  const tok = await loadTokenizerFromUrl(args.files.tokenizer);
  const name = args.textName ?? 'text';
  const content = new TextDecoder().decode(await fetchBytes(args.files.text, name));
  const docs = parseDocuments({ name, format: datasetFormatOf(name), content });
  const packed = await packDataset(docs, tok, { seqLen: args.seqLen, packing: 'concat', heldOutFraction: 0, splitSeed: 0 }, name);
  return { ids: packed.ids, sequences: packed.numSequences, positions: packed.seqLen };
}

/**
 * `deltascope extract`, page side: runs base + adapters over the ids in batches and sends back
 * activations.safetensors (delta.<adapter>.<layer>, and base.<layer> / ft.<adapter>.<layer> with --save-base,
 * each [sequences, positions, hidden] f32) and stats.json.
 */
export async function extract(args: ExtractArgs): Promise<ExtractStats> {
  if (!MODEL_DTYPES.includes(args.dtype)) throw new InputError('--dtype', `"${args.dtype}" is not one of ${MODEL_DTYPES.join(', ')}`);
  const { ids, sequences, positions } = await loadIds(args);
  const api = createModelApi();
  const model = { kind: 'url' as const, baseUrl: args.modelUrl ?? args.files.model };
  const adapters = args.adapters.map((name, i) => ({
    name,
    config: { url: `${args.files[`adapter${i}`]}adapter_config.json` },
    weights: { url: `${args.files[`adapter${i}`]}adapter_model.safetensors` },
  }));
  const loaded = await api.load({ model, adapters, options: { dtype: args.dtype, layers: args.layers, maxBatchTokens: args.maxBatchTokens } }, (p) => {
    if (p.stage === 'load') reportProgress(`load: layer ${p.done}/${p.total}`);
  });
  const h = loaded.config.hiddenSize;
  const K = adapters.length;
  const perSeq = positions * h;
  const layers = [...new Set(args.layers)].sort((a, b) => a - b);
  const tensors = new Map<string, Float32Array>();
  const alloc = (name: string): Float32Array => {
    const t = new Float32Array(sequences * perSeq);
    tensors.set(name, t);
    return t;
  };
  for (const l of layers) {
    for (const a of args.adapters) alloc(`delta.${a}.${l}`);
    if (args.saveBase) {
      alloc(`base.${l}`);
      for (const a of args.adapters) alloc(`ft.${a}.${l}`);
    }
  }
  const sums = args.adapters.map(() => layers.map(() => ({ all: 0, noBos: 0 })));
  const local = new Map<string, { adapter: string; layer: number; module: string; sum: number }>();
  const perBatch = Math.max(1, Math.floor(args.maxBatchTokens / positions));
  const t0 = performance.now();
  for (let s0 = 0; s0 < sequences; s0 += perBatch) {
    const nb = Math.min(perBatch, sequences - s0);
    const out = await api.forward(ids.subarray(s0 * positions, (s0 + nb) * positions), nb, positions);
    for (const [li, l] of layers.entries()) {
      const post = out.residPost.get(l)!;
      const delta = out.delta.get(l);
      for (let k = 0; k < K; k++) {
        const d = delta!.subarray(k * nb * perSeq, (k + 1) * nb * perSeq);
        tensors.get(`delta.${args.adapters[k]}.${l}`)!.set(d, s0 * perSeq);
        for (let t = 0; t < nb * positions; t++) {
          let ss = 0;
          for (let c = 0; c < h; c++) ss += d[t * h + c] ** 2;
          sums[k][li].all += Math.sqrt(ss);
          if (t % positions !== 0) sums[k][li].noBos += Math.sqrt(ss);
        }
        if (args.saveBase) tensors.get(`ft.${args.adapters[k]}.${l}`)!.set(post.subarray((k + 1) * nb * perSeq, (k + 2) * nb * perSeq), s0 * perSeq);
      }
      if (args.saveBase) tensors.get(`base.${l}`)!.set(post.subarray(0, nb * perSeq), s0 * perSeq);
    }
    for (const n of out.loraNorms) {
      const key = `${n.adapter}|${n.module}`;
      const e = local.get(key) ?? { adapter: n.adapter, layer: n.layer, module: n.module, sum: 0 };
      e.sum += n.meanNorm * nb * positions;
      local.set(key, e);
    }
    const done = (s0 + nb) * positions;
    reportProgress(`extract: ${done}/${sequences * positions} tokens, ${(done / ((performance.now() - t0) / 1000)).toFixed(0)} tokens/s`);
  }
  api.dispose();
  const toWrite: Record<string, TensorToWrite> = {};
  for (const [name, data] of tensors) toWrite[name] = { dtype: 'F32', shape: [sequences, positions, h], data };
  await putOutput('activations.safetensors', writeSafetensors(toWrite, { format: 'deltascope-activations', dtype: args.dtype }));
  const tokens = sequences * positions;
  const stats: ExtractStats = {
    sequences,
    positions,
    hidden: h,
    dtype: args.dtype,
    layers,
    adapters: args.adapters,
    mean_delta_norm: sums.map((row) => row.map((s) => s.all / tokens)),
    mean_delta_norm_excl_bos: sums.map((row) => row.map((s) => (positions > 1 ? s.noBos / (sequences * (positions - 1)) : 0))),
    lora_local_norms: [...local.values()].map((e) => ({ adapter: e.adapter, layer: e.layer, module: e.module, mean_norm: e.sum / tokens })),
  };
  await putOutput('stats.json', `${JSON.stringify(stats, null, 2)}\n`);
  return stats;
}
