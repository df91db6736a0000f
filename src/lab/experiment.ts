import { CancelledError, throwIfAborted } from '../errors/index.js';
import { emptyMetrics, type BundleSae, type InputHash, type ResultMetrics } from '../formats/index.js';
import type { Progress } from '../progress/index.js';

/**
 * The experiment plan: load → extract → train → evaluate, each stage an async `(input, ctx) => output`.
 * Stages write their finished work to the store, so a rerun after a reload or a lost device skips what the
 * store marks complete. The plan itself only sequences stages, forwards progress and publishes partial
 * results so the panels fill in while work runs.
 */

export type StageName = 'load' | 'extract' | 'train' | 'evaluate';
export const STAGE_NAMES: readonly StageName[] = ['load', 'extract', 'train', 'evaluate'];

export type LogLevel = 'info' | 'warn' | 'error';

export interface StageContext {
  signal: AbortSignal;
  onProgress(p: Progress): void;
  log(level: LogLevel, text: string): void;
  /** Partial results; each call replaces the panels' numbers with `update(current)`. */
  publish(update: (m: ResultMetrics) => ResultMetrics): void;
  /** Everything published so far. */
  results(): ResultMetrics;
}

export type Stage<I, O> = (input: I, ctx: StageContext) => Promise<O>;

/** What a finished run hands to the bundle writer. */
export interface ExperimentOutput {
  metrics: ResultMetrics;
  saes: BundleSae[];
  seeds: Record<string, number>;
  inputs: {
    model: InputHash | null;
    adapters: InputHash[];
    tokenizer: InputHash | null;
    dataset: InputHash | null;
    pretrained: InputHash[];
  };
}

export interface ExperimentPlan<I, L, E, T> {
  load: Stage<I, L>;
  extract: Stage<L, E>;
  train: Stage<E, T>;
  evaluate: Stage<T, ExperimentOutput>;
}

export interface ExperimentEvents {
  onStage(stage: StageName, state: 'start' | 'done'): void;
  onProgress(p: Progress): void;
  log(level: LogLevel, text: string): void;
  /**
   * The fields of the run's results that changed since the last call, each a new value; unchanged fields are
   * left out, so a receiver that merges them keeps their identity (and whatever it drew from them).
   */
  publish(changed: Partial<ResultMetrics>): void;
}

/** Runs the four stages in order; a cancelled signal stops between stages (and inside them, between batches). */
export async function runExperiment<I, L, E, T>(plan: ExperimentPlan<I, L, E, T>, input: I, events: ExperimentEvents, signal: AbortSignal): Promise<ExperimentOutput> {
  let metrics = emptyMetrics();
  const ctx: StageContext = {
    signal,
    onProgress: events.onProgress,
    log: events.log,
    publish: (update) => {
      const next = update(metrics);
      const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => v !== metrics[k as keyof ResultMetrics])) as Partial<ResultMetrics>;
      metrics = next;
      if (Object.keys(changed).length > 0) events.publish(changed);
    },
    results: () => metrics,
  };
  const step = async <A, B>(name: StageName, stage: Stage<A, B>, a: A): Promise<B> => {
    throwIfAborted(signal, 'run');
    events.onStage(name, 'start');
    const t0 = performance.now();
    const out = await stage(a, ctx);
    throwIfAborted(signal, 'run');
    events.log('info', `${name} finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    events.onStage(name, 'done');
    return out;
  };
  try {
    const loaded = await step('load', plan.load, input);
    const extracted = await step('extract', plan.extract, loaded);
    const trained = await step('train', plan.train, extracted);
    const out = await step('evaluate', plan.evaluate, trained);
    // whatever the output holds beyond what the stages published reaches the receiver too
    ctx.publish(() => out.metrics);
    return out;
  } catch (e) {
    if (signal.aborted && !(e instanceof CancelledError)) throw new CancelledError('run');
    throw e;
  }
}
