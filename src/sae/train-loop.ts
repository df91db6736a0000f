import { throwIfAborted } from '../errors/index.js';
import type { Gpu } from '../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../progress/index.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type SaeCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { evaluateSae, type EvalMetrics } from './evaluate.js';
import { initSaeParams } from './init.js';
import { BatchSampler, type TrainingSource } from './sampler.js';
import type { SaeParams } from './sae-gpu.js';
import { SaeTrainer, type StepLog } from './trainer.js';

export interface TrainOptions {
  source: TrainingSource;
  /** Initial parameters (default: initSaeParams with the config's seed). */
  init?: SaeParams;
  /** Explicit batch order, [steps·batchSize] row indices (else seeded shuffles of trainRows). */
  order?: Int32Array;
  /** Rows to train on (default: all rows not in heldOutRows). */
  trainRows?: Int32Array;
  /** Rows for evaluation every cfg.evalEvery steps and at the end. */
  heldOutRows?: Int32Array;
  /** Continue this run instead of starting one (its config wins over `cfg` except for steps). */
  resume?: SaeCheckpoint;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Called with each drained chunk of step statistics. */
  onLog?: (steps: StepLog[]) => void;
  onEval?: (step: number, metrics: EvalMetrics) => void;
  /** Checkpoint every this many steps (and when cancelled) through onCheckpoint. */
  checkpointEvery?: number;
  onCheckpoint?: (ck: SaeCheckpoint) => Promise<void> | void;
  /** Read statistics back every this many steps (≤ 256; default 64). */
  logEvery?: number;
  /** Stop after this step count even if cfg.steps is larger (a paused run); default cfg.steps. */
  stopAt?: number;
}

export interface TrainResult {
  params: SaeParams;
  /** JumpReLU thresholds exactly as the kernels used them. */
  threshold?: Float32Array;
  log: StepLog[];
  evals: { step: number; metrics: EvalMetrics }[];
  /** [m] 1 = dead by the training window at the end */
  deadMask: Uint8Array;
  checkpoint: SaeCheckpoint;
}

function samplerFor(cfg: TrainConfig, o: TrainOptions): BatchSampler {
  const st = o.resume?.sampler;
  if (o.order) return BatchSampler.fromOrder(o.order, cfg.batchSize, o.source.count, 'order', st);
  let rows = o.trainRows;
  if (!rows) {
    const held = new Set(o.heldOutRows ?? []);
    rows = Int32Array.from({ length: o.source.count }, (_, i) => i).filter((i) => !held.has(i));
  }
  return BatchSampler.shuffled(rows, cfg.batchSize, cfg.seed, st);
}

/** Builds the checkpoint of a trainer at its current step. */
export async function makeCheckpoint(tr: SaeTrainer, sampler: BatchSampler, log: StepLog[]): Promise<SaeCheckpoint> {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, config: tr.cfg, state: await tr.state(), sampler: sampler.state(), log: [...log] };
}

/**
 * Trains an SAE: batches from the sampler, one trainStep each, statistics drained every logEvery steps,
 * held-out evaluation, checkpoints, progress and cancellation between steps. A device loss surfaces as
 * DeviceLostError; continue with `resume` = the last checkpoint on a new device.
 */
export async function trainSae(gpu: Gpu, cfgIn: TrainConfig, o: TrainOptions): Promise<TrainResult> {
  const cfg: TrainConfig = o.resume ? { ...o.resume.config, steps: cfgIn.steps } : cfgIn;
  if (o.source.dim !== cfg.d) throw new Error(`training data has width ${o.source.dim}, the SAE reads ${cfg.d}`);
  const sampler = samplerFor(cfg, o);
  if (o.order && sampler.steps < cfg.steps) throw new Error(`order holds ${sampler.steps} batches, ${cfg.steps} steps asked`);
  const state = o.resume?.state ?? { params: o.init ?? initSaeParams(cfg), step: 0 };
  const tr = await SaeTrainer.create(gpu, cfg, state);
  const log: StepLog[] = [...(o.resume?.log ?? [])];
  const evals: TrainResult['evals'] = [];
  const stopAt = Math.min(o.stopAt ?? cfg.steps, cfg.steps);
  const logEvery = Math.min(o.logEvery ?? 64, 256);
  const progress = progressReporter('train', cfg.steps, o.onProgress, { startDone: tr.step });
  const drain = async (): Promise<void> => {
    const chunk = await tr.drainLog();
    if (chunk.length) {
      log.push(...chunk);
      o.onLog?.(chunk);
    }
  };
  const evaluate = async (): Promise<void> => {
    if (!o.heldOutRows?.length) return;
    const metrics = await evaluateSae(gpu, tr.sae, o.source, o.heldOutRows, { batchSize: cfg.batchSize, inputScale: cfg.inputScale, signal: o.signal });
    evals.push({ step: tr.step, metrics });
    o.onEval?.(tr.step, metrics);
  };
  try {
    while (tr.step < stopAt) {
      if (o.signal?.aborted) {
        await drain();
        if (o.onCheckpoint) await o.onCheckpoint(await makeCheckpoint(tr, sampler, log));
        throwIfAborted(o.signal, 'training');
      }
      const x = await o.source.readRows(sampler.next());
      if (cfg.inputScale !== 1) for (let i = 0; i < x.length; i++) x[i] *= cfg.inputScale;
      await tr.trainStep(x);
      const t = tr.step;
      if (t % logEvery === 0 || t === stopAt) await drain();
      if (cfg.evalEvery > 0 && t % cfg.evalEvery === 0 && t < stopAt) await evaluate();
      if (o.checkpointEvery && o.onCheckpoint && t % o.checkpointEvery === 0 && t < stopAt) {
        await drain();
        await o.onCheckpoint(await makeCheckpoint(tr, sampler, log));
      }
      progress.update(t);
    }
    await drain();
    await evaluate();
    progress.finish(tr.step);
    const checkpoint = await makeCheckpoint(tr, sampler, log);
    return {
      params: checkpoint.state.params, threshold: await tr.sae.readThreshold(), log, evals,
      deadMask: await tr.deadMask(), checkpoint,
    };
  } finally {
    tr.release();
  }
}
