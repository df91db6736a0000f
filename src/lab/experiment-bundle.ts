import type { BundleContents } from '../formats/index.js';
import { BUILD_INFO } from './build-info.js';
import type { ExperimentOutput } from './experiment.js';
import { redactRunConfig, type RunConfig } from './run-config.js';

/** What a finished run puts in its bundle: redacted config, seeds, input hashes, metrics, SAEs and figures. */
export function bundleContents(out: ExperimentOutput, config: RunConfig, figures: Record<string, string>, createdAt: Date = new Date()): BundleContents {
  return {
    manifest: {
      app: { name: 'deltascope', version: BUILD_INFO.version, commit: BUILD_INFO.commit },
      createdAt: createdAt.toISOString(),
      config: redactRunConfig(config),
      seeds: out.seeds,
      inputs: out.inputs,
      stages: { load: true, extract: true, train: true, evaluate: true },
    },
    metrics: out.metrics,
    saes: out.saes,
    figures,
  };
}
