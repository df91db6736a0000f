import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { BUNDLE_VERSION, emptyMetrics, writeBundle } from '../../../src/formats/index.js';
import { runCliInProcess } from '../../helpers/cli-in-process.js';
import { FIXTURES_DIR, fixtureJson } from '../../helpers/fixtures.js';

const ADAPTERS = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];
const MODEL = path.join(FIXTURES_DIR, 'model');
const cases = (await fixtureJson<{ cases: { name: string }[] }>('adapters/bad/cases.json')).cases.map((c) => c.name);
const tmp = await mkdtemp(path.join(tmpdir(), 'inspect-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Runs `deltascope inspect …` in this process, capturing its output and CPU time. */
function inspect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; cpuMs: number }> {
  return runCliInProcess(['inspect', ...args]);
}

describe('deltascope inspect', () => {
  it.each(ADAPTERS)('adapter %s prints its resolved_modules.json (with and without --base)', async (name) => {
    const want = await fixtureJson<{ modules: unknown[] }>(`adapters/${name}/resolved_modules.json`);
    for (const extra of [[], ['--base', MODEL]]) {
      const r = await inspect(path.join(FIXTURES_DIR, 'adapters', name), ...extra);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toEqual({ kind: 'lora', modules: want.modules });
    }
  });

  it.each(cases)('bad adapter %s: exit 2, one line "file: problem", under a second', async (name) => {
    const dir = path.join(FIXTURES_DIR, 'adapters/bad', name);
    const r = await inspect(dir, '--base', MODEL);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/adapter_(config\\.json|model\\.safetensors): \\S`));
    expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/);
    expect(r.cpuMs).toBeLessThan(1000);
  });

  it('models (F32, BF16): config, tensor count and dtype; checked against --base', async () => {
    for (const [dir, dtype] of [['model', 'F32'], ['model-bf16', 'BF16']]) {
      const r = await inspect(path.join(FIXTURES_DIR, dir), '--base', MODEL);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { kind: string; config: { headDim: number }; tensors: number; dtype: string };
      expect(out).toMatchObject({ kind: 'model', tensors: 4 * 11 + 2, dtype });
      expect(out.config.headDim).toBe(12);
    }
  });

  it('SAEs: Gemma Scope npz (file or folder) and SAELens folder', async () => {
    const want = { kind: 'sae', architecture: 'jumprelu', d_in: 64, d_sae: 256, apply_b_dec_to_input: false, normalize_activations: 'none' };
    for (const p of ['sae/params.npz', 'sae', 'sae/saelens']) {
      const r = await inspect(path.join(FIXTURES_DIR, p), '--base', MODEL);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ...want, format: p === 'sae/saelens' ? 'saelens' : 'gemma-scope' });
    }
  });

  it('single .npy and .safetensors files', async () => {
    const npy = await inspect(path.join(FIXTURES_DIR, 'reference/input_ids.npy'));
    expect(JSON.parse(npy.stdout)).toEqual({ kind: 'npy', dtype: 'int32', shape: [4, 24] });
    const st = await inspect(path.join(FIXTURES_DIR, 'training/relu/init.safetensors'));
    expect(JSON.parse(st.stdout)).toMatchObject({ kind: 'safetensors', tensors: [{ name: 'W_enc', dtype: 'F32', shape: [64, 256] }, { name: 'b_enc' }, { name: 'W_dec' }, { name: 'b_dec' }] });
  });

  it('a bundle zip reports its manifest; a zip that is not a bundle exits 2', async () => {
    const bundle = await writeBundle({
      manifest: {
        app: { name: 'deltascope', version: '0.1.0', commit: 'test' }, createdAt: '2026-01-01T00:00:00Z', config: { layers: [1] }, seeds: { sae: 1 },
        inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] },
        stages: { load: true, extract: false, train: false, evaluate: false },
      },
      metrics: emptyMetrics(), saes: [], figures: {},
    });
    const file = path.join(tmp, 'result.zip');
    await writeFile(file, bundle);
    const r = await inspect(file);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'bundle', manifest: { format: 'deltascope-bundle', version: BUNDLE_VERSION, seeds: { sae: 1 } } });
    const other = path.join(tmp, 'other.zip');
    await writeFile(other, zipSync({ 'manifest.json': new TextEncoder().encode('{"format":"something-else"}') }));
    const bad = await inspect(other);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^.*other\.zip: not a deltascope bundle/);
  });

  it('bad paths and unknown kinds exit 2 with one line', async () => {
    const llama = path.join(tmp, 'llama');
    await rm(llama, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(llama));
    await writeFile(path.join(llama, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 8 }));
    await writeFile(path.join(llama, 'model.safetensors'), new Uint8Array(16));
    const notNpy = path.join(tmp, 'x.npy');
    await writeFile(notNpy, 'hello');
    for (const [args, line] of [
      [[path.join(tmp, 'missing')], /missing: no such file or directory$/],
      [[llama], /llama\/config\.json: not a Gemma-2 model \(model_type "llama"\)$/],
      [[notNpy], /x\.npy: not a \.npy file \(bad magic\)$/],
      [[tmp], /not a model .*adapter .*SAE/],
      [[path.join(FIXTURES_DIR, 'sae'), '--base', path.join(FIXTURES_DIR, 'adapters/r4')], /config\.json: missing file$/],
      [[], /^inspect: missing argument PATH$/],
    ] as [string[], RegExp][]) {
      const r = await inspect(...args);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(line);
    }
  });
});

describe('the real bin', () => {
  const run = promisify(execFile);
  const bin = path.resolve(import.meta.dirname, '../../../cli/deltascope.mjs');
  it('rejects a bad adapter with exit status 2 and exactly one stderr line', async () => {
    const bad = await run('node', [bin, 'inspect', path.join(FIXTURES_DIR, 'adapters/bad/header-length-u64max')]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toBe(`${path.join(FIXTURES_DIR, 'adapters/bad/header-length-u64max')}/adapter_model.safetensors: header length 18446744073709551615 exceeds file size 69408\n`);
  });
});
