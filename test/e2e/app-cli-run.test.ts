import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../src/formats/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { metricsDifferences } from '../helpers/metrics-compare.js';

/**
 * `deltascope run --config FILE|demo --out DIR` drives the same pipeline headless and writes the same bundle. The one
 * full run here is the demo's, which must reproduce the result bundle shipped in public/demo (tools/demo/make-bundle.mjs).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = path.join(tmpdir(), `deltascope-cli-run-${process.pid}`);

const SHIPPED = path.join(ROOT, 'public/demo/bundle.zip');

// The whole demo: minutes on a GPU, up to ~45 min on two busy cores with SwiftShader.
function cli(...args: string[]) {
  return spawnSync('node', [path.join(ROOT, 'cli/deltascope.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 2_400_000 });
}

function writeConfig(name: string, patch: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(path.join(FIXTURES_DIR, 'reference/long/texts.json'), 'utf8');
  writeFileSync(path.join(dir, 'sample.txt'), `${text}\n`.repeat(4));
  const rel = (p: string) => path.relative(dir, path.join(FIXTURES_DIR, p));
  const config = {
    version: 1,
    name: 'cli-fixture',
    model: { kind: 'local', path: rel('model') },
    tokenizer: { kind: 'local', path: rel('tokenizer') },
    dataset: { source: { kind: 'local', path: 'sample.txt' }, sequences: 16, sequenceLength: 32 },
    adapters: [{ name: 'r8', source: { kind: 'local', path: rel('adapters/r8') } }],
    layers: [1],
    sae: { architecture: 'topk', width: 96, k: 8, lr: 0.002, steps: 12, batchSize: 32, evalEvery: 6, heldOutFraction: 0.2 },
    pretrained: [{ layer: 1, format: 'gemma-scope', source: { kind: 'local', path: rel('sae/params.npz') } }],
    controls: { seedPair: true, randomDirections: true, randomLora: false, bootstrap: 50 },
    ...patch,
  };
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Each recorded input's size and hash, by role, without its name. */
function inputIdentities(inputs: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(inputs, (key: string, value: unknown) => (key === 'name' ? undefined : value)));
}

describe('deltascope run', () => {
  it('runs the demo end to end: a bundle that validates, holds every stage and reproduces the shipped one', { timeout: 2_500_000 }, async () => {
    const out = path.join(dir, 'out');
    const r = cli('run', '--config', 'demo', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { bundle: string; seconds: number; stages: Record<string, boolean> };
    console.log(`run --config demo: ${summary.seconds} s`);
    expect(summary.stages).toEqual({ load: true, extract: true, train: true, evaluate: true });
    const b = await readBundle(new Uint8Array(readFileSync(summary.bundle)), 'bundle.zip');
    const shipped = await readBundle(new Uint8Array(readFileSync(SHIPPED)), SHIPPED);
    expect(b.manifest.config).toEqual(shipped.manifest.config);
    // The same input files, by content: their names are the URLs the run happened to serve them from (origin, port).
    expect(inputIdentities(b.manifest.inputs)).toEqual(inputIdentities(shipped.manifest.inputs));
    expect(b.metrics.deltaNorms).toHaveLength(8);
    expect(b.metrics.reconstruction.every((x) => x.pretrainedDiff !== null)).toBe(true);
    expect(b.metrics.alignment.every((x) => x.ceiling !== null)).toBe(true);
    expect(b.saes.map((s) => s.cfg.architecture)).toEqual(shipped.saes.map((s) => s.cfg.architecture));
    expect([...b.figures.keys()]).toContain('alignment');
    // Numbers, not bytes: the fixtures README §8 tolerances (test/tolerances.ts), counts exact.
    expect(metricsDifferences(b.metrics, shipped.metrics), 'a changed pipeline needs a new shipped bundle: node tools/demo/make-bundle.mjs').toEqual([]);
  });

  it('--runtime node (Dawn, no browser) runs a fixture config to the same numbers as Chromium', { timeout: 1_200_000 }, async () => {
    const file = writeConfig('fixture.json');
    const bundles = [];
    for (const runtime of ['chromium', 'node']) {
      const out = path.join(dir, `fixture-${runtime}`);
      const r = spawnSync('node', [path.join(ROOT, 'cli/deltascope.mjs'), 'run', '--runtime', runtime, '--config', file, '--out', out], {
        cwd: ROOT, encoding: 'utf8', timeout: 1_000_000, env: { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' },
      });
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { bundle: string; stages: Record<string, boolean> };
      expect(summary.stages).toEqual({ load: true, extract: true, train: true, evaluate: true });
      bundles.push(await readBundle(new Uint8Array(readFileSync(summary.bundle)), `${runtime}/bundle.zip`));
    }
    const [chromium, node] = bundles;
    expect(node.manifest.config).toEqual(chromium.manifest.config);
    expect(node.metrics.deltaNorms.length).toBeGreaterThan(0);
    // the model's name is the URL each run served it from (another port each time)
    expect(node.metrics.model && chromium.metrics.model).toBeTruthy();
    const sameName = { ...node.metrics, model: { ...node.metrics.model!, name: chromium.metrics.model!.name } };
    expect(metricsDifferences(sameName, chromium.metrics)).toEqual([]);
  });

  it('refuses a bad config with one line naming the file and every problem (exit 2)', () => {
    const file = writeConfig('bad.json', { layers: [1, 1], sae: { architecture: 'topk', width: 8, lr: 0.1, steps: 0, batchSize: 4 } });
    const r = cli('run', '--config', file, '--out', path.join(dir, 'never'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ problems: .*sae\\.steps.*layers`));
  });

  it('refuses a config whose local input does not exist (exit 2)', () => {
    const file = writeConfig('missing.json', { model: { kind: 'local', path: 'no/such/model' } });
    const r = cli('run', '--config', file, '--out', path.join(dir, 'never'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no\/such\/model: model: no such file or folder/);
  });
});
