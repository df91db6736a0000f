import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { readBundle, type Bundle } from '../../src/formats/bundle.js';
import { emptyMetrics, type ResultMetrics } from '../../src/formats/bundle-schema.js';

/** A bundle manifest for tests that write bundles of hand-made metrics. */
export const TEST_MANIFEST = {
  app: { name: 'deltascope' as const, version: '0.1.0', commit: 'test' },
  createdAt: '2026-12-04T23:00:00.000Z',
  config: {},
  seeds: {},
  inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] },
  stages: { load: true, extract: true, train: true, evaluate: true },
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Reads a bundle as an older version wrote it: format `version`, its metrics.json without the `absent` fields. */
export function readOlderBundle(version: number, absent: readonly (keyof ResultMetrics)[]): Promise<Bundle> {
  const metrics: Partial<ResultMetrics> = { ...emptyMetrics(), layers: [1] };
  for (const k of absent) delete metrics[k];
  const metricsJson = strToU8(JSON.stringify(metrics));
  const manifest = { format: 'deltascope-bundle', version, ...TEST_MANIFEST, entries: [{ path: 'metrics.json', bytes: metricsJson.length, sha256: sha(metricsJson) }] };
  return readBundle(zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), 'metrics.json': metricsJson }), 'old.zip');
}
