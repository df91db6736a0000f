import { applyMetricsUpdate, mergeMetricsUpdates, type ExperimentEvents, type MetricsUpdate, type StageName } from '../../lab/index.js';
import type { Progress } from '../../progress/index.js';
import { STAGES, type AppState, type LogLine } from './app-state.js';
import type { Store } from './store.js';

/** Progress and partial results reach the state at most this often: a redraw per worker message would queue up. */
const FLUSH_MS = 100;

export interface RunEvents extends ExperimentEvents {
  /** Applies everything still pending (call before the run's final state is set). */
  flush(): void;
}

/**
 * The pipeline's events as state updates. Progress ticks and partial results are merged and applied
 * together every FLUSH_MS; stage changes and log lines apply at once (with whatever is pending), so the
 * order the worker reported things in is kept.
 */
export function runEvents(store: Store<AppState>, log: (level: LogLine['level'], text: string) => void): RunEvents {
  let progress: Partial<Record<StageName, Progress>> = {};
  const none = (): MetricsUpdate => ({ set: {}, append: {} });
  let changed = none();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const p = progress;
    const c = changed;
    progress = {};
    changed = none();
    const results = Object.keys(c.set).length + Object.keys(c.append).length > 0;
    if (Object.keys(p).length === 0 && !results) return;
    store.set((s) => ({
      run: Object.keys(p).length > 0 ? { ...s.run, stages: { ...s.run.stages, ...p } } : s.run,
      metrics: results ? applyMetricsUpdate(s.metrics, c) : s.metrics,
    }));
  };
  const later = (): void => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };

  return {
    flush,
    onStage(stage, state) {
      flush();
      store.set((s) => ({ run: { ...s.run, stageDone: { ...s.run.stageDone, [stage]: state === 'done' } } }));
    },
    onProgress(p) {
      const stage = STAGES.find((x) => x === p.stage);
      if (!stage) return;
      progress[stage] = p;
      later();
    },
    log(level, text) {
      flush();
      log(level, text);
    },
    publish(update) {
      changed = mergeMetricsUpdates(changed, update);
      later();
    },
  };
}
