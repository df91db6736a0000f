import { createStore, del, get, keys, set } from 'idb-keyval';
import type { SaeWeights, TrainingCurve } from '../formats/index.js';
import { progressReporter } from '../progress/index.js';
import { checkpointFromBytes, checkpointToBytes, estimateInputScale, initSaeParams, meanRow, toSaeWeights, trainSae, type TrainingSource } from '../sae/index.js';
import { StoredActivations } from '../store/index.js';
import type { StageContext } from './experiment.js';
import type { Extracted } from './experiment-extract.js';
import { trainConfigOf } from './experiment-sae.js';

/** One trained delta SAE: which deltas, which seed, its dictionary on unscaled deltas. */
export interface TrainedSae {
  layer: number;
  adapter: string;
  seed: number;
  inputScale: number;
  sae: SaeWeights;
}

export interface Trained extends Extracted {
  saes: TrainedSae[];
  /** Held-out deltas per `${layer}/${adapter}` (at most HELD_OUT_ROWS tokens, the same rows for every adapter). */
  heldOut: Map<string, Float32Array>;
  heldOutRows: Uint32Array;
}

/** Tokens of held-out deltas used for evaluation (CPU float64: keep it modest). */
export const HELD_OUT_ROWS = 1024;
const LOG_EVERY = 10;
const CHECKPOINT_EVERY = 100;

const checkpoints = () => createStore('deltascope-sae', 'checkpoints');

/** What the store keeps per SAE: the trainer's checkpoint while it trains, its weights once done. */
interface Checkpoint {
  checkpoint?: Uint8Array;
  weights?: SaeWeights;
  curve: TrainingCurve;
  inputScale: number;
}

/** Drops every saved SAE checkpoint (the setup's "Clear stored runs"). */
export async function clearSaeCheckpoints(): Promise<number> {
  const all = await keys(checkpoints());
  for (const k of all) await del(k, checkpoints());
  return all.length;
}

/** Seeds of the delta SAEs of one (layer, adapter): one, or two for the seed-to-seed ceiling. */
export function saeSeeds(ex: Pick<Extracted, 'config' | 'randomLora'>, adapter: string): number[] {
  const base = ex.config.seed * 1000 + 1;
  return ex.config.controls.seedPair && adapter !== ex.randomLora ? [base, base + 1] : [base];
}

function publishCurve(ctx: StageContext, curve: TrainingCurve): void {
  ctx.publish((m) => ({
    ...m,
    training: [...m.training.filter((t) => !(t.layer === curve.layer && t.adapter === curve.adapter && t.seed === curve.seed)), { ...curve, points: [...curve.points], heldOut: [...curve.heldOut] }],
  }));
}

/** One stored stream as the trainer's row source: train rows first, then the held-out rows. */
function storeSource(reader: StoredActivations, rows: Uint32Array): TrainingSource {
  return { dim: reader.hidden, count: rows.length, readRows: (idx) => reader.rows(Array.from(idx, (i) => rows[i])) };
}

async function trainOne(ex: Extracted, layer: number, adapter: string, seed: number, heldOutRows: Uint32Array, ctx: StageContext, onSteps: (stepsOfThisSae: number) => void): Promise<TrainedSae> {
  const { config, gpu, manifest } = ex;
  const d = manifest.hidden;
  const key = `${ex.runId}/${layer}/${adapter}/${seed}/${JSON.stringify(config.sae)}`;
  const saved = (await get(key, checkpoints())) as Checkpoint | undefined;
  const curve: TrainingCurve = saved?.curve ?? { layer, adapter, seed, points: [], heldOut: [] };
  if (saved?.weights) {
    publishCurve(ctx, curve);
    onSteps(config.sae.steps);
    return { layer, adapter, seed, inputScale: saved.inputScale, sae: saved.weights };
  }
  const reader = await StoredActivations.open(ex.store, ex.runId, layer, adapter);
  const trainTokens = reader.tokenRows('train');
  const all = new Uint32Array(trainTokens.length + heldOutRows.length);
  all.set(trainTokens);
  all.set(heldOutRows, trainTokens.length);
  const source = storeSource(reader, all);
  const trainRows = Int32Array.from({ length: trainTokens.length }, (_, i) => i);
  const evalRows = Int32Array.from({ length: heldOutRows.length }, (_, i) => trainTokens.length + i);
  const scale = saved?.inputScale ?? (await estimateInputScale(source, trainRows));
  const cfg = trainConfigOf(config, d, scale, seed);
  const resume = saved?.checkpoint ? await checkpointFromBytes(saved.checkpoint, key) : undefined;
  if (resume) ctx.log('info', `layer ${layer} ${adapter} seed ${seed}: resuming SAE training at step ${resume.state.step}`);
  const result = await trainSae(gpu, cfg, {
    source,
    trainRows,
    heldOutRows: evalRows,
    init: resume ? undefined : initSaeParams(cfg, { bDec: await meanRow(source, trainRows, scale) }),
    resume,
    signal: ctx.signal,
    logEvery: LOG_EVERY,
    checkpointEvery: CHECKPOINT_EVERY,
    onCheckpoint: (ck) => set(key, { checkpoint: checkpointToBytes(ck), curve, inputScale: scale } satisfies Checkpoint, checkpoints()),
    onProgress: (p) => onSteps(p.done),
    onLog: (steps) => {
      for (const st of steps) curve.points.push({ step: st.step, loss: st.loss, mse: st.mse, l0: st.l0 });
      publishCurve(ctx, curve);
    },
    onEval: (step, metrics) => {
      curve.heldOut.push({ step, fvu: metrics.fvu });
      publishCurve(ctx, curve);
    },
  });
  const weights = toSaeWeights(result.params, { threshold: result.threshold, inputScale: scale, source: `delta SAE, layer ${layer}, ${adapter}, seed ${seed}` });
  await set(key, { weights, curve, inputScale: scale } satisfies Checkpoint, checkpoints());
  onSteps(cfg.steps);
  return { layer, adapter, seed, inputScale: scale, sae: weights };
}

/** The train stage: a delta SAE per (layer, adapter) — two seeds where the ceiling control asks — checkpointed in the store. */
export async function trainStage(ex: Extracted, ctx: StageContext): Promise<Trained> {
  const { config, manifest } = ex;
  const names = manifest.adapters.map((a) => a.name);
  const jobs = config.layers.flatMap((layer) => names.flatMap((adapter) => saeSeeds(ex, adapter).map((seed) => ({ layer, adapter, seed }))));
  const progress = progressReporter('train', jobs.length * config.sae.steps, ctx.onProgress);
  let done = 0;
  const heldOut = new Map<string, Float32Array>();
  let heldOutRows = new Uint32Array(0);
  for (const layer of config.layers) {
    for (const adapter of names) {
      const reader = await StoredActivations.open(ex.store, ex.runId, layer, adapter);
      const rows = reader.tokenRows('heldout');
      // An even stride keeps every held-out sequence represented when capping the rows.
      const stride = Math.max(1, Math.ceil(rows.length / HELD_OUT_ROWS));
      heldOutRows = rows.filter((_, i) => i % stride === 0);
      heldOut.set(`${layer}/${adapter}`, await reader.rows(heldOutRows));
    }
  }
  if (heldOutRows.length < 8) throw new Error(`only ${heldOutRows.length} held-out tokens: use more sequences or a larger held-out fraction`);
  const saes: TrainedSae[] = [];
  for (const job of jobs) {
    const offset = done;
    saes.push(await trainOne(ex, job.layer, job.adapter, job.seed, heldOutRows, ctx, (n) => progress.update(offset + n)));
    done = offset + config.sae.steps;
  }
  progress.finish(jobs.length * config.sae.steps);
  return { ...ex, saes, heldOut, heldOutRows };
}
