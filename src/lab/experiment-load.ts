import { loraModuleSvd, normMatchedRandomLora } from '../analysis/index.js';
import { throwIfAborted } from '../errors/index.js';
import {
  hasFile,
  loadLoraAdapterFolder,
  loadSaeFiles,
  openByteReader,
  openGemma2Checkpoint,
  readAllBytes,
  readText,
  type ByteSource,
  type Gemma2Config,
  type InputHash,
  type LoraAdapter,
  type ModelFiles,
  type SaeWeights,
  type SafetensorsCheckpoint,
  type WeightSpace,
} from '../formats/index.js';
import { acquireGpu, type Gpu } from '../gpu/index.js';
import { GemmaEngine, type EngineOptions } from '../model/index.js';
import { progressReporter } from '../progress/index.js';
import { packDataset, type PackedDataset } from './dataset-pack.js';
import { datasetFormatOf, parseDocuments } from './dataset.js';
import type { StageContext } from './experiment.js';
import { demoPath, resolveInputs, type InputLocator } from './experiment-inputs.js';
import { fingerprintModel, fingerprintSource } from './extraction/index.js';
import type { RunConfig } from './run-config.js';
import { loadTokenizer, type TextTokenizer } from './tokenizer.js';

/** Sequences per extraction forward pass (the setup's memory estimate uses the same number). */
export const EXTRACT_BATCH_SEQUENCES = 8;

export interface LoadInput {
  config: RunConfig;
  locator: InputLocator;
  /** A device to use instead of acquiring one (tests, the CLI page). */
  gpu?: Gpu;
}

export interface Loaded {
  config: RunConfig;
  gpu: Gpu;
  modelConfig: Gemma2Config;
  checkpoint: SafetensorsCheckpoint;
  tokenizer: TextTokenizer;
  dataset: PackedDataset;
  /** The real adapters, then the norm-matched random control when asked for. */
  adapters: LoraAdapter[];
  randomLora: string | null;
  pretrained: Map<number, SaeWeights>;
  engine: GemmaEngine;
  hashes: { model: string; adapters: Map<string, string>; tokenizer: string };
  inputs: { model: InputHash | null; adapters: InputHash[]; tokenizer: InputHash | null; dataset: InputHash | null; pretrained: InputHash[] };
}

async function inputHash(name: string, src: ByteSource | undefined): Promise<InputHash | null> {
  if (!src) return null;
  const reader = await openByteReader(src, name);
  return { name, bytes: reader.size, sha256: await fingerprintSource(src, name), method: reader.size <= 64 * 1024 * 1024 ? 'full' : 'sampled' };
}

async function tokenizerFrom(files: ModelFiles, name: string): Promise<TextTokenizer> {
  const json = files.get('tokenizer.json');
  if (!json) throw new Error(`${files.label}: no tokenizer.json`);
  // Optional; a URL folder is asked whether it has one.
  const cfg = (await hasFile(files, 'tokenizer_config.json')) ? files.get('tokenizer_config.json') : undefined;
  return loadTokenizer(
    {
      'tokenizer.json': await readAllBytes(json, `${files.label}/tokenizer.json`).then((b) => b.slice().buffer as ArrayBuffer),
      ...(cfg ? { 'tokenizer_config.json': await readAllBytes(cfg, `${files.label}/tokenizer_config.json`).then((b) => b.slice().buffer as ArrayBuffer) } : {}),
    },
    name,
  );
}

/** The adapter's own update per module (no forward pass): ‖scaling·B·A‖_F and its singular values. */
export async function weightSpaceRows(adapter: LoraAdapter, checkpoint: SafetensorsCheckpoint | null, signal: AbortSignal): Promise<WeightSpace[]> {
  const rows: WeightSpace[] = [];
  for (const m of adapter.modules) {
    throwIfAborted(signal, 'weight-space view');
    const a = await adapter.weights.readF32(m.aName);
    const b = await adapter.weights.readF32(m.bName);
    const svd = loraModuleSvd(a, b, m.r, m.inFeatures, m.outFeatures, m.scaling);
    const frobenius = Math.sqrt(svd.singularValues.reduce((s, v) => s + v * v, 0));
    let relative: number | null = null;
    if (checkpoint) {
      const w = await checkpoint.readF32(`${m.module}.weight`);
      let s = 0;
      for (let i = 0; i < w.length; i++) s += w[i] * w[i];
      relative = s > 0 ? frobenius / Math.sqrt(s) : null;
    }
    rows.push({ adapter: adapter.name, layer: m.layer, module: m.kind, rank: m.r, scaling: m.scaling, frobenius, relative, singularValues: Array.from(svd.singularValues) });
  }
  return rows;
}

export function engineOptions(config: RunConfig, signal: AbortSignal): EngineOptions {
  // a batch never holds more sequences than the dataset, and the setup's estimate counts the same batch
  const maxBatchTokens = Math.min(config.dataset.sequences, EXTRACT_BATCH_SEQUENCES) * config.dataset.sequenceLength;
  const memoryBudgetBytes = config.gpuMemoryGiB === undefined ? undefined : config.gpuMemoryGiB * 2 ** 30;
  return { dtype: config.precision, layers: config.layers, maxBatchTokens, memoryBudgetBytes, signal };
}

/** Small models only: reading every base projection for the relative norms is cheap below this size. */
const RELATIVE_NORM_MAX_BYTES = 256 * 1024 * 1024;

/** The load stage: every input parsed and checked, the dataset packed, the engine on the GPU. */
export async function loadStage(input: LoadInput, ctx: StageContext): Promise<Loaded> {
  const { config } = input;
  const files = resolveInputs(config, input.locator);
  const steps = 5 + files.adapters.length + files.pretrained.length;
  const progress = progressReporter('load', steps, ctx.onProgress);
  let done = 0;
  const tick = () => progress.update(++done);

  const { config: modelConfig, checkpoint } = await openGemma2Checkpoint(files.model);
  const deepest = Math.max(...config.layers);
  if (deepest >= modelConfig.numHiddenLayers) throw new Error(`layer ${deepest} requested, the model has layers 0..${modelConfig.numHiddenLayers - 1}`);
  ctx.log('info', `model: Gemma-2, ${modelConfig.numHiddenLayers} layers, hidden ${modelConfig.hiddenSize} (${files.model.label})`);
  tick();

  const tokenizer = await tokenizerFrom(files.tokenizer, files.tokenizer.label);
  const text = await readText(files.dataset.source, files.dataset.name);
  const docs = parseDocuments({ name: files.dataset.name, format: datasetFormatOf(files.dataset.name), content: text });
  const dataset = await packDataset(docs, tokenizer, {
    seqLen: config.dataset.sequenceLength,
    packing: 'concat',
    heldOutFraction: config.sae.heldOutFraction,
    splitSeed: config.seed,
    maxSequences: config.dataset.sequences,
  }, files.dataset.name);
  ctx.log('info', `dataset: ${dataset.numSequences} sequences × ${dataset.seqLen} tokens (${dataset.textTokens} text tokens, ${dataset.heldOut.length} sequences held out)`);
  tick();

  const adapters: LoraAdapter[] = [];
  for (const a of files.adapters) {
    throwIfAborted(ctx.signal, 'loading');
    adapters.push(await loadLoraAdapterFolder(a.files, modelConfig, a.name));
    tick();
  }
  let randomLora: string | null = null;
  if (config.controls.randomLora) {
    const matched = adapters[adapters.length - 1];
    const random = await normMatchedRandomLora(matched, config.seed + 7919, `random-${matched.name}`);
    adapters.push(random);
    randomLora = random.name;
    ctx.log('info', `control: ${random.name}, a random LoRA matched to ${matched.name} in ‖ΔW‖ per module`);
  }

  const pretrained = new Map<number, SaeWeights>();
  for (const p of files.pretrained) {
    pretrained.set(p.layer, await loadSaeFiles(p.files, { expectedDIn: modelConfig.hiddenSize }));
    tick();
  }

  const projectionBytes = [...checkpoint.tensors.values()].reduce((s, t) => s + (t.end - t.begin), 0);
  const weightSpace: WeightSpace[] = [];
  for (const a of adapters.filter((x) => x.name !== randomLora)) weightSpace.push(...(await weightSpaceRows(a, projectionBytes <= RELATIVE_NORM_MAX_BYTES ? checkpoint : null, ctx.signal)));
  ctx.publish((m) => ({
    ...m,
    model: { name: recordedModelName(config, files.model.label), hiddenSize: modelConfig.hiddenSize, numLayers: modelConfig.numHiddenLayers, vocabSize: modelConfig.vocabSize, precision: config.precision },
    layers: config.layers,
    adapters: adapters.filter((a) => a.name !== randomLora).map((a) => ({
      name: a.name,
      rank: a.config.r,
      alpha: a.config.loraAlpha,
      targets: [...new Set(a.modules.map((x) => x.kind))],
      layers: [...new Set(a.modules.map((x) => x.layer))].sort((x, y) => x - y),
      modules: a.modules.length,
    })),
    weightSpace,
  }));
  tick();

  const modelHash = await fingerprintModel(files.model);
  const adapterHashes = new Map<string, string>();
  const adapterInputs: InputHash[] = [];
  for (const a of files.adapters) {
    const h = await inputHash(`${a.name}/adapter_model.safetensors`, a.files.get('adapter_model.safetensors'));
    if (h) adapterInputs.push(h);
    adapterHashes.set(a.name, h?.sha256 ?? modelHash);
  }
  if (randomLora) adapterHashes.set(randomLora, `${adapterHashes.get(adapters[adapters.length - 2].name)}-random-${config.seed + 7919}`);
  const pretrainedInputs: InputHash[] = [];
  for (const p of files.pretrained) {
    const name = p.files.names().find((n) => n.endsWith('.npz') || n.endsWith('.safetensors'));
    const h = name ? await inputHash(`layer-${p.layer}/${name}`, p.files.get(name)) : null;
    if (h) pretrainedInputs.push(h);
  }
  tick();

  const gpu = input.gpu ?? (await acquireGpu());
  const engine = await GemmaEngine.load(gpu, checkpoint, modelConfig, adapters, engineOptions(config, ctx.signal));
  progress.finish(steps);
  return {
    config,
    gpu,
    modelConfig,
    checkpoint,
    tokenizer,
    dataset,
    adapters,
    randomLora,
    pretrained,
    engine,
    hashes: { model: modelHash, adapters: adapterHashes, tokenizer: tokenizer.sha256 },
    inputs: {
      model: { name: recordedModelName(config, files.model.label), bytes: checkpoint.shards.reduce((s, f) => s + f.sizeBytes, 0), sha256: modelHash, method: 'sampled' },
      adapters: adapterInputs,
      tokenizer: await inputHash(`${files.tokenizer.label}/tokenizer.json`, files.tokenizer.get('tokenizer.json')),
      dataset: await inputHash(files.dataset.name, files.dataset.source),
      pretrained: pretrainedInputs,
    },
  };
}

/**
 * The model's name as a bundle records it: the demo's is served from whatever origin and port the page or the
 * CLI happened to use, so it is recorded by its path in the demo, which is the same for every run.
 */
function recordedModelName(config: RunConfig, label: string): string {
  return config.model.kind === 'demo' ? `demo/${demoPath({ kind: 'model' })}` : label;
}
