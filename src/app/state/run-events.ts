import type { ResultMetrics } from '../../formats/index.js';
import type { ExperimentEvents, StageName } from '../../lab/index.js';
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
  let changed: Partial<ResultMetrics> = {};
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const p = progress;
    const c = changed;
    progress = {};
    changed = {};
    if (Object.keys(p).length === 0 && Object.keys(c).length === 0) return;
    store.set((s) => ({
      run: Object.keys(p).length > 0 ? { ...s.run, stages: { ...s.run.stages, ...p } } : s.run,
      metrics: Object.keys(c).length > 0 ? { ...s.metrics, ...c } : s.metrics,
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
    publish(c) {
      changed = { ...changed, ...c };
      later();
    },
  };
}
