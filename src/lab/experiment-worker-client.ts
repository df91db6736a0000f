import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { CancelledError, installComlinkErrorHandler, throwIfAborted } from '../errors/index.js';
import { emptyMetrics } from '../formats/index.js';
import { abortHandleOf } from './abort-handle.js';
import { applyMetricsUpdate, type ExperimentEvents, type ExperimentOutput } from './experiment.js';
import type { InputLocator } from './experiment-inputs.js';
import { locatorToData } from './experiment-locator-data.js';
import type { ExperimentApi } from './experiment-worker-api.js';
import type { RunConfig } from './run-config.js';

/**
 * How the app and the CLI page run a whole experiment. The worker client below is what they use; the
 * in-thread runBrowserExperiment has the same shape (the worker runs it).
 */
export interface ExperimentRunner {
  run(config: RunConfig, locator: InputLocator, events: ExperimentEvents, signal: AbortSignal): Promise<ExperimentOutput>;
}

interface Spawned {
  worker: Worker;
  api: Remote<ExperimentApi>;
  /** Rejects when the worker reports an error of its own (a script that failed to load, an uncaught exception). */
  failed: Promise<never>;
}

function spawn(newWorker: () => Worker): Spawned {
  const worker = newWorker();
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e) => reject(new Error(`the experiment worker stopped: ${e instanceof ErrorEvent && e.message ? e.message : 'its script failed to load or threw outside the run'}`)), { once: true }),
  );
  failed.catch(() => undefined);
  return { worker, api: wrap<ExperimentApi>(worker), failed };
}

/**
 * Runs experiments in a module worker, so loading, extraction, training and evaluation never block the
 * page; progress, partial results and logs come back through `events`, and aborting `signal` stops the
 * worker's run between batches. The worker starts at once (its script is fetched with the page) and
 * serves run after run, each of which frees its GPU device when it ends; after a failure other than a
 * cancellation the next run gets a fresh worker.
 */
export function experimentWorkerRunner(newWorker: () => Worker): ExperimentRunner {
  installComlinkErrorHandler();
  let current: Spawned | null = spawn(newWorker);
  return {
    async run(config, locator, events, signal) {
      throwIfAborted(signal, 'run');
      const w = (current ??= spawn(newWorker));
      // The results reach this side as they are published; the worker's answer leaves them out rather than
      // send (and make this thread take in) a second copy of every number.
      let metrics = emptyMetrics();
      const remoteEvents = proxy<ExperimentEvents>({
        ...events,
        publish: (update) => {
          metrics = applyMetricsUpdate(metrics, update);
          events.publish(update);
        },
      });
      const abort = abortHandleOf(signal);
      try {
        const rest = await Promise.race([w.api.run(config, locatorToData(locator), remoteEvents, abort), w.failed]);
        return { ...rest, metrics };
      } catch (e) {
        if (!(e instanceof CancelledError)) {
          w.api[releaseProxy]();
          w.worker.terminate();
          current = null;
        }
        throw e;
      }
    },
  };
}
