import { CancelledError } from '../../errors/index.js';
import { emptyMetrics } from '../../formats/index.js';
import { experimentWorkerRunner, parseRunConfig } from '../../lab/index.js';
import { emptyRun, type AppState, type LogLine } from './app-state.js';
import { exportSource } from './bundle-actions.js';
import { demoBase } from './config-actions.js';
import { reopenDroppedInputs } from './reopen-inputs.js';
import { runEvents } from './run-events.js';
import type { Store } from './store.js';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Every run goes to a module worker of its own; this thread only renders what it reports. */
const runner = experimentWorkerRunner(() => new Worker(new URL('../../../workers/experiment.worker.ts', import.meta.url), { type: 'module', name: 'experiment' }));

/**
 * Starts, pauses, resumes and cancels the pipeline. Pause stops between batches and keeps everything the
 * store has committed; resume (also after a reload) reruns the plan, whose stages skip completed work.
 */
export function createRunController(store: Store<AppState>) {
  let abort: AbortController | null = null;
  let stopAs: 'paused' | 'cancelled' = 'cancelled';

  const log = (level: LogLine['level'], text: string) => store.set((s) => ({ run: { ...s.run, log: [...s.run.log.slice(-499), { t: Date.now(), level, text }] } }));

  async function start(fresh: boolean): Promise<void> {
    if (abort) return;
    const s = store.get();
    let config;
    try {
      config = parseRunConfig(s.draft, 'run config');
    } catch (e) {
      store.set({ run: { ...emptyRun(), status: 'failed', error: message(e) } });
      return;
    }
    abort = new AbortController();
    stopAs = 'cancelled';
    exportSource.live = null;
    exportSource.imported = null;
    store.set((st) => ({
      run: { ...(fresh ? emptyRun() : { ...st.run, stages: emptyRun().stages, stageDone: emptyRun().stageDone }), status: 'running', error: null },
      // a fresh run's panels fill in from nothing; a resumed one keeps what it showed until the stages publish again
      metrics: fresh ? emptyMetrics() : st.metrics,
      view: { source: 'live', bundleName: null, manifest: null, message: null },
    }));
    log('info', fresh ? `run "${config.name}" started` : `run "${config.name}" resumed`);
    const events = runEvents(store, log);
    try {
      const { attachments, hubToken } = store.get();
      const output = await runner.run(
        config,
        {
          demoBase: demoBase(),
          hubToken: hubToken || undefined,
          local: {
            model: attachments.model ?? undefined,
            tokenizer: attachments.tokenizer ?? undefined,
            dataset: attachments.dataset ? { name: attachments.dataset.name, source: attachments.dataset } : undefined,
            adapters: attachments.adapters,
            pretrained: attachments.pretrained,
          },
        },
        events,
        abort.signal,
      );
      events.flush();
      exportSource.live = output;
      store.set((st) => ({ metrics: output.metrics, run: { ...st.run, status: 'done' } }));
      log('info', 'run complete: export the bundle to keep or share the results');
    } catch (e) {
      events.flush();
      const cancelled = e instanceof CancelledError;
      store.set((st) => ({ run: { ...st.run, status: cancelled ? stopAs : 'failed', error: cancelled ? null : message(e) } }));
      log(cancelled ? 'warn' : 'error', cancelled ? `run ${stopAs}` : message(e));
    } finally {
      abort = null;
    }
  }

  /** Dropped inputs lost with a reload are read again from the folders this browser remembered, or named. */
  async function startWithInputs(fresh: boolean): Promise<void> {
    if (abort) return;
    const missing = await reopenDroppedInputs(store);
    if (missing.length > 0) {
      const text = `This browser could not reopen ${missing.join(', ')}: drop ${missing.length === 1 ? 'it' : 'them'} again in the setup, then ${fresh ? 'start' : 'resume'}.`;
      store.set((st) => ({ run: { ...st.run, error: text } }));
      log('warn', text);
      return;
    }
    await start(fresh);
  }

  return {
    start: () => void startWithInputs(true),
    resume: () => void startWithInputs(false),
    pause: () => {
      stopAs = 'paused';
      abort?.abort();
    },
    cancel: () => {
      stopAs = 'cancelled';
      abort?.abort();
    },
  };
}
