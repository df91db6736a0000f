import type { DeltaNorm } from '../formats/index.js';
import { acquireGpu, type Gpu } from '../gpu/index.js';
import { GemmaEngine } from '../model/index.js';
import { ActivationStore, type RunManifest } from '../store/index.js';
import type { StageContext } from './experiment.js';
import { engineOptions, EXTRACT_BATCH_SEQUENCES, type Loaded } from './experiment-load.js';
import { runLens } from './activation-lens.js';
import { directionCosinesOf, localWritesOf } from './across-adapters.js';
import { extractDeltas } from './extraction/index.js';

export interface Extracted extends Loaded {
  store: ActivationStore;
  runId: string;
  manifest: RunManifest;
}

/** Mean per-token ‖delta‖ and ‖base‖ (text tokens, BOS excluded) per (layer, adapter), from the store's running statistics. */
export function deltaNormsOf(m: RunManifest, skip: string | null): DeltaNorm[] {
  const out: DeltaNorm[] = [];
  for (const layer of m.layers) {
    const st = m.stats[String(layer)];
    if (!st) continue;
    for (const a of m.adapters) {
      const d = st.delta[a.name];
      if (a.name === skip || !d || d.count === 0) continue;
      out.push({ layer, adapter: a.name, meanDeltaNorm: d.sumNorm / d.count, meanBaseNorm: st.base.count > 0 ? st.base.sumNorm / st.base.count : 0, tokens: d.count });
    }
  }
  return out;
}

/**
 * The extract stage: deltas of every adapter at every layer into the store, resumable shard by shard, with
 * each adapted module's local write; then the mean-delta cosines between adapters and the
 * activation-difference lens of each (layer, adapter) from the stored deltas.
 * Base and fine-tuned activations are kept too when a pretrained dictionary needs SAE(ft) − SAE(base).
 */
export async function extractStage(loaded: Loaded, ctx: StageContext): Promise<Extracted> {
  const { config, dataset } = loaded;
  const store = ActivationStore.open();
  // The loaded engine serves the first call; after a lost device the extraction asks again and gets a new one.
  let current: { gpu: Gpu; engine: GemmaEngine } = { gpu: loaded.gpu, engine: loaded.engine };
  let fresh = true;
  const openEngine = async () => {
    if (!fresh) {
      const gpu = await acquireGpu();
      current = { gpu, engine: await GemmaEngine.load(gpu, loaded.checkpoint, loaded.modelConfig, loaded.adapters, engineOptions(config, ctx.signal)) };
      ctx.log('warn', 'the GPU device was lost: reloaded the model and resumed from the last complete shard');
    }
    fresh = false;
    return current;
  };
  const result = await extractDeltas(
    {
      dataset,
      model: { sha256: loaded.hashes.model, dtype: config.precision, hidden: loaded.modelConfig.hiddenSize },
      adapters: loaded.adapters.map((a) => ({ name: a.name, sha256: loaded.hashes.adapters.get(a.name) ?? a.name })),
      tokenizer: { name: loaded.tokenizer.name, sha256: loaded.hashes.tokenizer },
      options: { layers: config.layers, dtype: 'f32', saveBase: loaded.pretrained.size > 0, batchSize: EXTRACT_BATCH_SEQUENCES, label: config.name, shardBytes: Math.round(config.shardMiB * 2 ** 20) },
    },
    {
      store,
      openEngine,
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      onShard: (m) => ctx.publish((r) => ({ ...r, deltaNorms: deltaNormsOf(m, loaded.randomLora), localWrites: localWritesOf(m, loaded.randomLora) })),
    },
  );
  if (result.shardsWritten === 0) ctx.log('info', `extraction already complete in this browser's store (run ${result.runId.slice(0, 12)}…)`);
  else ctx.log('info', `extracted ${result.shardsWritten} shard${result.shardsWritten === 1 ? '' : 's'} into run ${result.runId.slice(0, 12)}…`);
  const real = loaded.adapters.map((a) => a.name).filter((n) => n !== loaded.randomLora);
  ctx.publish((r) => ({
    ...r,
    deltaNorms: deltaNormsOf(result.manifest, loaded.randomLora),
    localWrites: localWritesOf(result.manifest, loaded.randomLora),
    acrossAdapters: directionCosinesOf(result.manifest, real),
  }));
  // the activation-difference lens needs only the stored deltas' means and W_E, so it is read here, once per run
  const lens = await runLens(current.gpu, store, result.runId, { checkpoint: loaded.checkpoint, config: loaded.modelConfig }, {
    adapters: real,
    decode: (id) => loaded.tokenizer.decode([id], false),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  ctx.publish((r) => ({ ...r, lens }));
  return { ...loaded, gpu: current.gpu, engine: current.engine, store, runId: result.runId, manifest: result.manifest };
}
