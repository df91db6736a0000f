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

/**
 * A change of the results, as small as it can travel: `set` replaces whole fields; `append` holds only the new
 * elements of array fields that grew at their end (a panel filling in adapter by adapter sends each once).
 */
export interface MetricsUpdate {
  set: Partial<ResultMetrics>;
  append: Partial<ResultMetrics>;
}

type Fields = Record<keyof ResultMetrics, unknown>;

/** The update that turns `prev` into `next`, comparing fields and array elements by identity. */
export function metricsUpdate(prev: ResultMetrics, next: ResultMetrics): MetricsUpdate {
  const set: Partial<Fields> = {};
  const append: Partial<Fields> = {};
  for (const k of Object.keys(next) as (keyof ResultMetrics)[]) {
    const a = prev[k];
    const b = next[k];
    if (a === b) continue;
    // an array whose elements are all still there, in place: only its new tail (if any) travels
    if (Array.isArray(a) && Array.isArray(b) && b.length >= a.length && a.every((x, i) => x === b[i])) {
      if (b.length > a.length) append[k] = b.slice(a.length);
    } else set[k] = b;
  }
  return { set, append } as MetricsUpdate;
}

export function applyMetricsUpdate(m: ResultMetrics, u: MetricsUpdate): ResultMetrics {
  const out: Fields = { ...m, ...u.set };
  for (const [k, items] of Object.entries(u.append) as [keyof ResultMetrics, unknown[]][]) out[k] = [...(out[k] as unknown[]), ...items];
  return out as ResultMetrics;
}

/** One update that does what `a` then `b` do. */
export function mergeMetricsUpdates(a: MetricsUpdate, b: MetricsUpdate): MetricsUpdate {
  const set: Partial<Fields> = { ...a.set };
  const append: Partial<Fields> = { ...a.append };
  for (const [k, v] of Object.entries(b.set) as [keyof ResultMetrics, unknown][]) {
    set[k] = v;
    delete append[k];
  }
  for (const [k, items] of Object.entries(b.append) as [keyof ResultMetrics, unknown[]][]) {
    if (k in set) set[k] = [...(set[k] as unknown[]), ...items];
    else append[k] = [...((append[k] as unknown[] | undefined) ?? []), ...items];
  }
  return { set, append } as MetricsUpdate;
}

export interface ExperimentEvents {
  onStage(stage: StageName, state: 'start' | 'done'): void;
  onProgress(p: Progress): void;
  log(level: LogLevel, text: string): void;
  /**
   * What changed in the run's results since the last call (see MetricsUpdate); unchanged fields are left out,
   * so a receiver that applies it keeps their identity (and whatever it drew from them).
   */
  publish(update: MetricsUpdate): void;
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
      const diff = metricsUpdate(metrics, next);
      metrics = next;
      if (Object.keys(diff.set).length + Object.keys(diff.append).length > 0) events.publish(diff);
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
