import { acquireGpu, type Gpu } from '../gpu/index.js';
import type { ProgressCallback } from '../progress/index.js';
import type { SaeCheckpoint } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfigInput } from './config.js';
import { estimateInputScale } from './scale.js';
import { evaluateSae, type EvalMetrics } from './evaluate.js';
import { saelensFiles, toSaeWeights } from './export.js';
import { arraySource, splitHeldOut } from './sampler.js';
import { SaeGpu, type SaeParams } from './sae-gpu.js';
import { trainSae, type TrainResult } from './train-loop.js';
import type { StepLog } from './trainer.js';

export interface TrainJob {
  config: TrainConfigInput;
  /** [count, dim] training rows (BOS rows already left out by the caller) */
  data: Float32Array;
  init?: SaeParams;
  order?: Int32Array;
  heldOutFraction?: number;
  /** 'auto' sets inputScale so that E‖s·x‖ = √d */
  scale?: 'none' | 'auto';
  resume?: SaeCheckpoint;
  checkpointEvery?: number;
}

/** What a finished job returns to the UI: the weights in SAELens layout and every number it measured. */
export interface TrainJobResult {
  log: StepLog[];
  evals: TrainResult['evals'];
  metrics: EvalMetrics | null;
  saelens: Record<string, Uint8Array>;
  checkpoint: SaeCheckpoint;
}

/**
 * The SAE worker's API (workers/sae.worker.ts exposes it): one device, jobs by id, cancellation through
 * AbortControllers checked between steps, progress/log/checkpoint callbacks (Comlink proxies on the worker side).
 */
export function createSaeApi() {
  let gpu: Promise<Gpu> | null = null;
  // a lost device is dropped so the next job (resuming from its checkpoint) gets a fresh one
  const device = (): Promise<Gpu> =>
    (gpu ??= acquireGpu().then((g) => {
      void g.lost.then(() => (gpu = null));
      return g;
    }));
  const jobs = new Map<string, AbortController>();
  return {
    async train(
      jobId: string,
      job: TrainJob,
      onProgress?: ProgressCallback,
      onLog?: (steps: StepLog[]) => void,
      onCheckpoint?: (ck: SaeCheckpoint) => void,
    ): Promise<TrainJobResult> {
      const ctrl = new AbortController();
      jobs.set(jobId, ctrl);
      try {
        const d = job.config.d;
        const source = arraySource(job.data, d);
        const split = job.heldOutFraction ? splitHeldOut(source.count, job.heldOutFraction, job.config.seed ?? 0) : null;
        const trainRows = split?.train;
        const inputScale = job.scale === 'auto' ? await estimateInputScale(source, trainRows) : job.config.inputScale ?? 1;
        const cfg = resolveTrainConfig({ ...job.config, inputScale });
        const g = await device();
        const res = await trainSae(g, cfg, {
          source, init: job.init, order: job.order, trainRows, heldOutRows: split?.heldOut, resume: job.resume,
          signal: ctrl.signal, onProgress, onLog, checkpointEvery: job.checkpointEvery, onCheckpoint,
        });
        const weights = toSaeWeights(res.params, { threshold: res.threshold, inputScale: cfg.inputScale });
        let metrics = res.evals.at(-1)?.metrics ?? null;
        if (!metrics) {
          const sae = SaeGpu.upload(g, { ...res.params, W_enc: weights.W_enc, W_dec: weights.W_dec, b_dec: weights.b_dec }, { rows: cfg.batchSize, threshold: weights.threshold });
          try {
            metrics = await evaluateSae(g, sae, source, trainRows ?? Int32Array.from({ length: source.count }, (_, i) => i), { batchSize: cfg.batchSize, signal: ctrl.signal });
          } finally {
            sae.release();
          }
        }
        return { log: res.log, evals: res.evals, metrics, saelens: saelensFiles(weights, cfg, { featureDensity: metrics.featureDensity }), checkpoint: res.checkpoint };
      } finally {
        jobs.delete(jobId);
      }
    },

    /** Aborts a running job; it stops between steps (after writing a checkpoint when it has onCheckpoint). */
    cancel(jobId: string): void {
      jobs.get(jobId)?.abort();
    },
  };
}

export type SaeApi = ReturnType<typeof createSaeApi>;
