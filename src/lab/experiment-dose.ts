import { DOSE_ALPHAS, doseResponse } from '../analysis/index.js';
import { throwIfAborted } from '../errors/index.js';
import { scaledLoraAdapter, type Dose, type LoraAdapter } from '../formats/index.js';
import { estimateMemory, GemmaEngine } from '../model/index.js';
import { progressReporter } from '../progress/index.js';
import { StoredActivations, TOKEN_KIND } from '../store/index.js';
import type { PackedDataset } from './dataset-pack.js';
import type { StageContext } from './experiment.js';
import { engineOptions, EXTRACT_BATCH_SEQUENCES } from './experiment-load.js';
import type { Extracted } from './experiment-extract.js';
import type { Trained } from './experiment-train.js';
import { extractDeltas, sha256Hex } from './extraction/index.js';

/** Held-out sequences run at every α (the first ones, in dataset order): the extra streams' store and memory stay bounded. */
export const DOSE_MAX_SEQUENCES = 8;
/** Text tokens of those sequences that are encoded per (adapter, layer, α) on the CPU (an even stride when capped). */
export const DOSE_MAX_TOKENS = 512;

/** α = 0 is the base model and α = 1 the adapter itself (the main run's deltas): neither needs a stream of its own. */
const EXTRA_ALPHAS = DOSE_ALPHAS.filter((a) => a !== 0 && a !== 1);

/** Where the α-scaled deltas were stored: one extraction run per pass, each α-scaled adapter a stream of it. */
export interface DoseRuns {
  /** indices into the main run's dataset of the dose sequences, in the dose runs' order */
  sequences: number[];
  streams: { adapter: string; alpha: number; runId: string; stream: string }[];
}

export function doseStreamName(adapter: string, alpha: number): string {
  return `${adapter}×${alpha}`;
}

/** The dose sequences as a dataset of their own (all of them count as held out). */
async function doseDataset(ds: PackedDataset, sequences: number[]): Promise<PackedDataset> {
  const S = ds.seqLen;
  const ids = new Int32Array(sequences.length * S);
  const kinds = new Uint8Array(sequences.length * S);
  sequences.forEach((s, i) => {
    ids.set(ds.ids.subarray(s * S, (s + 1) * S), i * S);
    kinds.set(ds.kinds.subarray(s * S, (s + 1) * S), i * S);
  });
  return {
    seqLen: S,
    numSequences: sequences.length,
    ids,
    kinds,
    heldOut: Uint32Array.from(sequences, (_, i) => i),
    heldOutFraction: 1,
    splitSeed: ds.splitSeed,
    textTokens: kinds.reduce((n, k) => n + (k === TOKEN_KIND.text ? 1 : 0), 0),
    sha256: await sha256Hex(`dose|${ds.sha256}|${sequences.join(',')}`),
  };
}

/**
 * How the α-scaled adapters are split into passes and how many sequences each forward runs, so that no pass
 * needs more GPU memory than the main extraction's engine did (which fitted): all of them as extra streams of one
 * batch when that fits with fewer sequences per forward, else the fewest groups that fit.
 */
export function planDosePasses(count: number, fits: (adapters: number, sequences: number) => boolean): { groups: number; sequences: number } {
  for (let groups = 1; groups <= count; groups++) {
    const size = Math.ceil(count / groups);
    for (let seqs = EXTRACT_BATCH_SEQUENCES; seqs >= 1; seqs--) if (fits(size, seqs)) return { groups, sequences: seqs };
  }
  throw new Error('dose-response: even one α-scaled adapter per pass does not fit the memory the main extraction used');
}

function loraParams(adapters: readonly LoraAdapter[], layerCount: number): number {
  return adapters.reduce((s, a) => s + a.modules.filter((m) => m.layer < layerCount).reduce((t, m) => t + m.r * m.inFeatures + m.outFeatures * m.r, 0), 0);
}

/**
 * The dose-response extraction (after the main one, its engine disposed): every real adapter with its scaling
 * multiplied by each α of DOSE_ALPHAS other than 0 and 1, as extra streams of the same batch on the first
 * DOSE_MAX_SEQUENCES held-out sequences, stored as runs of their own (resumable shard by shard like any run).
 */
export async function extractDose(ex: Extracted, ctx: StageContext): Promise<DoseRuns | null> {
  const { config, dataset, modelConfig } = ex;
  const real = ex.adapters.filter((a) => a.name !== ex.randomLora);
  const sequences = Array.from(dataset.heldOut.subarray(0, DOSE_MAX_SEQUENCES));
  if (sequences.length === 0 || real.length === 0) {
    ctx.log('warn', 'dose-response skipped: no held-out sequences');
    return null;
  }
  const scaled = EXTRA_ALPHAS.flatMap((alpha) => real.map((a) => ({ adapter: a.name, alpha, lora: scaledLoraAdapter(a, alpha, doseStreamName(a.name, alpha)) })));
  const layerCount = Math.max(...config.layers) + 1;
  const perAdapter = Math.max(...real.map((a) => loraParams([a], layerCount)));
  const seqLen = dataset.seqLen;
  const request = (adapters: number, seqs: number, params: number) =>
    estimateMemory(modelConfig, { dtype: config.precision, layers: config.layers, adapters, batchTokens: seqs * seqLen, loraParams: params });
  const budget = request(ex.adapters.length, EXTRACT_BATCH_SEQUENCES, loraParams(ex.adapters, layerCount)).bytes;
  const bindingLimit = Math.min(ex.gpu.limits.maxStorageBufferBindingSize, ex.gpu.limits.maxBufferSize);
  const plan = planDosePasses(scaled.length, (n, seqs) => {
    const est = request(n, seqs, n * perAdapter);
    return est.bytes <= budget && est.largestBufferBytes <= bindingLimit;
  });
  const size = Math.ceil(scaled.length / plan.groups);
  ctx.log('info', `dose-response: ${real.length} adapter${real.length === 1 ? '' : 's'} × α ${EXTRA_ALPHAS.join(', ')} on ${sequences.length} held-out sequences, ${plan.groups} pass${plan.groups === 1 ? '' : 'es'} of up to ${size} streams, ${plan.sequences} sequence${plan.sequences === 1 ? '' : 's'} per forward`);
  const doseData = await doseDataset(dataset, sequences);
  const streams: DoseRuns['streams'] = [];
  for (let g = 0; g < plan.groups; g++) {
    throwIfAborted(ctx.signal, 'dose-response');
    const group = scaled.slice(g * size, (g + 1) * size);
    if (group.length === 0) continue;
    const result = await extractDeltas(
      {
        dataset: doseData,
        model: { sha256: ex.hashes.model, dtype: config.precision, hidden: modelConfig.hiddenSize },
        adapters: group.map((s) => ({ name: s.lora.name, sha256: `${ex.hashes.adapters.get(s.adapter) ?? s.adapter}×${s.alpha}` })),
        tokenizer: { name: ex.tokenizer.name, sha256: ex.hashes.tokenizer },
        options: { layers: config.layers, dtype: 'f32', saveBase: false, batchSize: plan.sequences, label: `${config.name} · dose-response` },
      },
      {
        store: ex.store,
        openEngine: async () => ({
          gpu: ex.gpu,
          engine: await GemmaEngine.load(ex.gpu, ex.checkpoint, modelConfig, group.map((s) => s.lora), { ...engineOptions(config, ctx.signal), maxBatchTokens: plan.sequences * seqLen }),
        }),
        signal: ctx.signal,
        onProgress: ctx.onProgress,
      },
    );
    for (const s of group) streams.push({ adapter: s.adapter, alpha: s.alpha, runId: result.runId, stream: s.lora.name });
  }
  return { sequences, streams };
}

/**
 * Dose-response per (layer, adapter) with its first delta SAE: the deltas at α = 1 are the main run's rows of
 * the dose sequences, the others the dose runs' streams, α = 0 the zero delta.
 */
export async function doseStage(t: Trained, runs: DoseRuns, ctx: StageContext): Promise<Dose[]> {
  const real = t.manifest.adapters.map((a) => a.name).filter((n) => n !== t.randomLora && runs.streams.some((s) => s.adapter === n));
  const progress = progressReporter('evaluate', t.config.layers.length * real.length, ctx.onProgress);
  const S = t.manifest.seqLen;
  const d = t.manifest.hidden;
  const out: Dose[] = [];
  for (const layer of t.config.layers) {
    for (const adapter of real) {
      throwIfAborted(ctx.signal, 'dose-response');
      const saes = t.saes.filter((s) => s.layer === layer && s.adapter === adapter);
      if (saes.length === 0) continue;
      const sae = saes.reduce((a, b) => (b.seed < a.seed ? b : a)).sae;
      const mine = runs.streams.filter((s) => s.adapter === adapter);
      const readers = new Map<number, StoredActivations>();
      for (const s of mine) readers.set(s.alpha, await StoredActivations.open(t.store, s.runId, layer, s.stream));
      const all = readers.values().next().value!.tokenRows('all');
      const stride = Math.max(1, Math.ceil(all.length / DOSE_MAX_TOKENS));
      const rows = all.filter((_, i) => i % stride === 0);
      const mainRows = Array.from(rows, (r) => runs.sequences[Math.floor(r / S)] * S + (r % S));
      const main = await StoredActivations.open(t.store, t.runId, layer, adapter);
      const deltas: (Float32Array | null)[] = [];
      for (const alpha of DOSE_ALPHAS) {
        if (alpha === 0) deltas.push(null);
        else if (alpha === 1) deltas.push(await main.rows(mainRows));
        else deltas.push(await readers.get(alpha)!.rows(rows));
      }
      out.push(doseResponse(sae, { alphas: DOSE_ALPHAS, deltas, rows: rows.length, d }, { layer, adapter, sequences: runs.sequences.length }, ctx.signal));
      ctx.publish((m) => ({ ...m, dose: [...out] }));
      progress.update(out.length);
    }
  }
  progress.finish();
  return out;
}
