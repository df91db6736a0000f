import { transfer, type ProxyMarked, type Remote } from 'comlink';
import { signalOf, type AbortHandle } from './abort-handle.js';
import type { ExperimentEvents, ExperimentOutput } from './experiment.js';
import { runBrowserExperiment } from './experiment-browser.js';
import { locatorFromData, type InputLocatorData } from './experiment-locator-data.js';
import type { RunConfig } from './run-config.js';

/**
 * The worker side of the experiment runner (workers/experiment.worker.ts exposes it): a thin handler that
 * turns the plain-data arguments back into a locator and a signal and runs the whole plan in the worker.
 */
export function createExperimentApi() {
  return {
    /** The run's output without its metrics: every result field has been published through `events` by then. */
    async run(config: RunConfig, locator: InputLocatorData, events: Remote<ExperimentEvents & ProxyMarked>, abort: Remote<AbortHandle & ProxyMarked>): Promise<Omit<ExperimentOutput, 'metrics'>> {
      const signal = await signalOf(abort);
      // Callbacks travel on their own channel, so the result could overtake them: it waits until the
      // caller has taken every one (the last progress, log line and partial result arrive first).
      const pending = new Set<Promise<void>>();
      const track = (call: Promise<void>) => {
        pending.add(call);
        void call.catch(() => undefined).finally(() => pending.delete(call));
      };
      const inOrder: ExperimentEvents = {
        onStage: (stage, state) => track(events.onStage(stage, state)),
        onProgress: (p) => track(events.onProgress(p)),
        log: (level, text) => track(events.log(level, text)),
        publish: (update) => track(events.publish(update)),
      };
      try {
        const { metrics: _published, ...out } = await runBrowserExperiment(config, locatorFromData(locator), inOrder, signal);
        // The SAE weights go back to the caller without a copy (several may share one buffer).
        return transfer(out, [...new Set(out.saes.map((s) => s.weights.buffer as ArrayBuffer))]);
      } finally {
        await Promise.allSettled([...pending]);
      }
    },
  };
}

export type ExperimentApi = ReturnType<typeof createExperimentApi>;
