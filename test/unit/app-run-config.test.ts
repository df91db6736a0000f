import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/index.js';
import { parseRunConfig, redactRunConfig, runConfigProblems, type RunConfigInput } from '../../src/lab/run-config.js';

const good: RunConfigInput = {
  version: 1,
  model: { kind: 'url', url: 'https://example.org/model/' },
  dataset: { source: { kind: 'sample' }, sequences: 8, sequenceLength: 32 },
  adapters: [{ name: 'r4', source: { kind: 'local', path: 'adapters/r4' } }, { name: 'r8', source: { kind: 'demo' } }],
  layers: [0, 2],
  sae: { architecture: 'topk', width: 256, k: 8, lr: 0.002, steps: 100, batchSize: 64 },
  pretrained: [{ layer: 2, format: 'gemma-scope', source: { kind: 'local', path: 'sae/params.npz' } }],
};

describe('run config', () => {
  it('accepts a complete config and fills the defaults', () => {
    const c = parseRunConfig(good, 'run.json');
    expect(c.precision).toBe('f32');
    expect(c.controls.bootstrap).toBe(200);
    expect(c.principalK).toEqual([8, 16]);
    expect(c.tokenizer).toBeNull();
    expect(c.gpuMemoryGiB).toBeUndefined();
  });

  it('takes an optional GPU memory budget in GiB, and refuses one that is not positive', () => {
    expect(parseRunConfig({ ...good, gpuMemoryGiB: 16 }, 'run.json').gpuMemoryGiB).toBe(16);
    expect(runConfigProblems({ ...good, gpuMemoryGiB: 0 }).some((p) => p.startsWith('gpuMemoryGiB'))).toBe(true);
  });

  it('lists every problem at once, each with its path', () => {
    const bad = {
      ...good,
      layers: [2, 0, 0],
      adapters: [{ name: 'r4', source: { kind: 'demo' } }, { name: 'r4', source: { kind: 'ftp' } }],
      sae: { architecture: 'topk', width: 4, k: 8, lr: 0.002, steps: 0, batchSize: 64 },
      extra: true,
    };
    const problems = runConfigProblems(bad);
    expect(problems.some((p) => p.startsWith('adapters[1].source'))).toBe(true);
    expect(problems.some((p) => p.startsWith('sae.steps'))).toBe(true);
    expect(problems.some((p) => p.includes('extra'))).toBe(true);
    let err: unknown;
    try {
      parseRunConfig(bad, 'run.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^run\.json: \d+ problems: /);
  });

  it('checks fields that depend on each other', () => {
    const problems = runConfigProblems({ ...good, layers: [0, 2, 2], sae: { ...good.sae, k: 300 }, pretrained: [{ layer: 5, format: 'saelens', source: { kind: 'demo' } }] });
    expect(problems).toContain('layers: layers must be ascending without repeats');
    expect(problems).toContain('sae.k: k must not exceed width');
    expect(problems).toContain('pretrained[0].layer: layer 5 is not among the analysed layers');
  });

  it('names the file when the JSON does not parse', () => {
    expect(() => parseRunConfig('{"version": 1,,}', 'run.json')).toThrow(/^run\.json: not valid JSON/);
  });

  it('strips credentials from URLs when redacting', () => {
    const c = parseRunConfig({ ...good, model: { kind: 'url', url: 'https://user:pw@example.org/m/?token=hf_secret&x=1' } }, 'run.json');
    const r = JSON.stringify(redactRunConfig(c));
    expect(r).not.toContain('hf_secret');
    expect(r).not.toContain('pw@');
    expect(r).toContain('x=1');
  });
});
