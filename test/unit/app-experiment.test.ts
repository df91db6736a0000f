import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, InputError } from '../../src/errors/index.js';
import { emptyMetrics } from '../../src/formats/index.js';
import { demoRunConfig } from '../../src/lab/demo-config.js';
import { applyMetricsUpdate, mergeMetricsUpdates, metricsUpdate, runExperiment, type ExperimentOutput, type MetricsUpdate } from '../../src/lab/experiment.js';
import { bundleContents } from '../../src/lab/experiment-bundle.js';
import { demoPath, hubUrl, resolveInputs } from '../../src/lab/experiment-inputs.js';
import { binLinear, densityToHistogram, fvuInterval } from '../../src/lab/experiment-summaries.js';
import { parseRunConfig } from '../../src/lab/run-config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const demoJson = () => JSON.parse(readFileSync(path.join(ROOT, 'public/demo/demo.json'), 'utf8')) as Record<string, unknown>;

describe('the demo run config', () => {
  it('is built from public/demo/demo.json and validates', () => {
    const c = demoRunConfig(demoJson());
    expect(c.adapters.map((a) => a.name)).toEqual(['r4', 'r8', 'r16', 'r32']);
    expect(c.pretrained.map((p) => p.layer)).toEqual(c.layers);
    expect(c.model).toEqual({ kind: 'demo' });
    // Every sparsity setting of demo.json's suggestedSae reaches the run's SAE config.
    const suggested = (demoJson().suggestedSae ?? {}) as Record<string, unknown>;
    const { arch, ...settings } = suggested;
    expect(c.sae).toMatchObject({ architecture: arch, ...settings });
    expect(c.sae.architecture).toBe('jumprelu');
  });

  it('refuses a demo.json whose assets sit elsewhere than the app looks', () => {
    expect(() => demoRunConfig({ ...demoJson(), model: 'weights/' }, 'demo.json')).toThrow(/^demo\.json: model is at "weights\/", the app expects "model\/"/);
  });
});

describe('input resolution', () => {
  const config = parseRunConfig(
    {
      version: 1,
      model: { kind: 'hub', repo: 'google/gemma-2-2b' },
      dataset: { source: { kind: 'sample' }, sequences: 4, sequenceLength: 16 },
      adapters: [{ name: 'a', source: { kind: 'demo' } }, { name: 'b', source: { kind: 'local' } }],
      layers: [1],
      sae: { architecture: 'topk', width: 64, k: 4, lr: 0.001, steps: 10, batchSize: 8 },
      pretrained: [{ layer: 1, format: 'gemma-scope', source: { kind: 'url', url: 'https://x.org/sae/params.npz' } }],
    },
    'run.json',
  );

  it('maps each source kind to files, demo ones under the demo folder', () => {
    const files = new Map([['b', { get: () => undefined, names: () => [], label: 'b' }]]);
    const r = resolveInputs(config, { demoBase: 'https://app.example/demo/', local: { adapters: files, pretrained: new Map() } });
    expect(r.model.label).toBe('https://huggingface.co/google/gemma-2-2b/resolve/main/');
    expect(r.adapters[0].files.label).toBe('https://app.example/demo/adapters/a/');
    expect(r.adapters[1].files.label).toBe('b');
    expect(r.pretrained[0].files.names()).toEqual(['params.npz']);
    expect(r.dataset.source).toEqual({ url: `https://app.example/demo/${demoPath({ kind: 'dataset' })}` });
    expect(hubUrl({ kind: 'hub', repo: 'o/n', revision: 'v1', subfolder: '/sub/' })).toBe('https://huggingface.co/o/n/resolve/v1/sub/');
  });

  it('names the input that has no files', () => {
    expect(() => resolveInputs(config, { demoBase: 'https://app.example/demo/', local: { adapters: new Map(), pretrained: new Map() } })).toThrow(InputError);
  });
});

describe('the experiment plan', () => {
  const output: ExperimentOutput = { metrics: emptyMetrics(), saes: [], seeds: { run: 1 }, inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] } };

  it('runs the stages in order, passing each output on, and publishes partial results', async () => {
    const seen: string[] = [];
    const published: MetricsUpdate[] = [];
    const out = await runExperiment(
      {
        load: async (n: number, ctx) => {
          ctx.publish((m) => ({ ...m, layers: [n] }));
          ctx.publish((m) => ({ ...m, layers: [...m.layers, 7] }));
          ctx.publish((m) => ({ ...m, layers: [...m.layers] }));
          return n + 1;
        },
        extract: async (n) => n * 10,
        train: async (n) => `${n}`,
        evaluate: async (s, ctx) => ({ ...output, seeds: { run: Number(s) }, metrics: ctx.results() }),
      },
      1,
      { onStage: (s, st) => seen.push(`${s}:${st}`), onProgress: () => undefined, log: () => undefined, publish: (m) => published.push(m) },
      new AbortController().signal,
    );
    expect(seen).toEqual(['load:start', 'load:done', 'extract:start', 'extract:done', 'train:start', 'train:done', 'evaluate:start', 'evaluate:done']);
    expect(out.seeds.run).toBe(20);
    expect(out.metrics.layers).toEqual([1, 7]);
    // only the fields that changed cross to the receiver, of an array that grew at its end only the new elements,
    // and a copy with the same elements not at all
    expect(published).toEqual([
      { set: {}, append: { layers: [1] } },
      { set: {}, append: { layers: [7] } },
    ]);
  });

  it('applies and merges result updates: set replaces a field, append extends it, a later set wins', () => {
    const m = { ...emptyMetrics(), layers: [1] };
    const a: MetricsUpdate = { set: { cka: [] }, append: { layers: [2] } };
    const b: MetricsUpdate = { set: {}, append: { layers: [3] } };
    const merged = mergeMetricsUpdates(a, b);
    expect(applyMetricsUpdate(m, merged)).toEqual(applyMetricsUpdate(applyMetricsUpdate(m, a), b));
    expect(applyMetricsUpdate(m, merged).layers).toEqual([1, 2, 3]);
    expect(applyMetricsUpdate(m, mergeMetricsUpdates(merged, { set: { layers: [9] }, append: {} })).layers).toEqual([9]);
    expect(applyMetricsUpdate(m, mergeMetricsUpdates({ set: { layers: [9] }, append: {} }, b)).layers).toEqual([9, 3]);
    const next = applyMetricsUpdate(m, merged);
    expect(next.deltaNorms).toBe(m.deltaNorms);
    // an empty array replaced by another empty one is no change
    expect(metricsUpdate(m, next)).toEqual({ set: {}, append: { layers: [2, 3] } });
    expect(metricsUpdate(next, { ...next, layers: [4] })).toEqual({ set: { layers: [4] }, append: {} });
  });

  it('stops with CancelledError once the signal fires', async () => {
    const ac = new AbortController();
    const plan = { load: async () => ac.abort(), extract: async () => 0, train: async () => 0, evaluate: async () => output };
    await expect(runExperiment(plan, 0, { onStage: () => undefined, onProgress: () => undefined, log: () => undefined, publish: () => undefined }, ac.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('records a redacted config, the seeds and every stage in the bundle manifest', () => {
    const c = parseRunConfig({ ...demoRunConfig(demoJson()), model: { kind: 'url', url: 'https://h.example/m/?access_token=hf_abc' } }, 'run.json');
    const b = bundleContents(output, c, {}, new Date('2026-01-01T00:00:00Z'));
    expect(JSON.stringify(b.manifest.config)).not.toContain('hf_abc');
    expect(b.manifest.stages).toEqual({ load: true, extract: true, train: true, evaluate: true });
    expect(b.manifest.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('reductions for the panels', () => {
  it('bins values into equal bins, clamping the ends', () => {
    expect(binLinear([0, 0.1, 0.5, 0.99, 1, 2], 0, 1, 4).counts).toEqual([2, 0, 1, 3]);
  });

  it('puts dead latents in their own leftmost density bin', () => {
    const h = densityToHistogram([0, 0, 1e-3, 0.5], 5, -5);
    expect(h.counts[0]).toBe(2);
    expect(h.edges).toHaveLength(7);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('brackets the FVU computed from its definition with the bootstrap interval', () => {
    const n = 200;
    const d = 3;
    const x = Float64Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.3) + (i % d));
    const recon = x.map((v, i) => v + 0.3 * Math.cos(i * 0.7));
    const mean = [0, 1, 2].map((j) => Array.from({ length: n }, (_, r) => x[r * d + j]).reduce((a, b) => a + b) / n);
    let sse = 0;
    let ss = 0;
    for (let i = 0; i < n * d; i++) {
      sse += (x[i] - recon[i]) ** 2;
      ss += (x[i] - mean[i % d]) ** 2;
    }
    const [lo, hi] = fvuInterval(x, recon, n, d, 300, 7)!;
    expect(lo).toBeLessThan(sse / ss);
    expect(hi).toBeGreaterThan(sse / ss);
    expect(fvuInterval(x, recon, n, d, 0, 7)).toBeNull();
  });
});
