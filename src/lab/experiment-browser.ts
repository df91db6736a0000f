import { runExperiment, type ExperimentEvents, type ExperimentOutput } from './experiment.js';
import { doseStage, extractDose, type DoseRuns } from './experiment-dose.js';
import { evaluateStage } from './experiment-evaluate.js';
import { extractStage } from './experiment-extract.js';
import type { InputLocator } from './experiment-inputs.js';
import { loadStage } from './experiment-load.js';
import { trainStage } from './experiment-train.js';
import type { RunConfig } from './run-config.js';
import type { Gpu } from '../gpu/index.js';

/** The whole pipeline on this page's GPU: what the app's Start button and the CLI's `run` both call. */
export async function runBrowserExperiment(config: RunConfig, locator: InputLocator, events: ExperimentEvents, signal: AbortSignal, gpu?: Gpu): Promise<ExperimentOutput> {
  let loadedGpu: Gpu | null = null;
  let engine: { dispose(): void } | null = null;
  let dose: DoseRuns | null = null;
  try {
    return await runExperiment(
      {
        load: async (input, ctx) => {
          const loaded = await loadStage(input, ctx);
          loadedGpu = loaded.gpu;
          engine = loaded.engine;
          return loaded;
        },
        extract: async (loaded, ctx) => {
          const ex = await extractStage(loaded, ctx);
          engine = ex.engine;
          // The model is no longer needed once the deltas are stored: free its GPU memory for training.
          ex.engine.dispose();
          engine = null;
          // α-scaled adapters need an engine of their own; loaded only now so the two never hold GPU memory together
          dose = await extractDose(ex, ctx);
          return ex;
        },
        train: trainStage,
        evaluate: async (trained, ctx) => {
          const out = await evaluateStage(trained, ctx);
          return dose ? { ...out, metrics: { ...out.metrics, dose: await doseStage(trained, dose, ctx) } } : out;
        },
      },
      { config, locator, gpu },
      events,
      signal,
    );
  } finally {
    (engine as { dispose(): void } | null)?.dispose();
    if (!gpu) (loadedGpu as Gpu | null)?.destroy();
  }
}
