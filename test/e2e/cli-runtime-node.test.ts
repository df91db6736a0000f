// `--runtime node`: the CLI's GPU tasks in Node on Dawn (SwiftShader here) give the fixture numbers, as in Chromium.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { expectRel } from '../helpers/assert.js';
import { FIXTURES_DIR as F } from '../helpers/fixtures.js';
import { TOL } from '../tolerances.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'runtime-node-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const ENV = { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' };

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(ROOT, 'cli/deltascope.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: ENV });
}

async function npyLayer(rel: string, l: number): Promise<Float32Array> {
  const a = parseNpy(new Uint8Array(await readFile(path.join(F, rel))), rel).data as Float32Array;
  const n = a.length / 4;
  return a.subarray(l * n, (l + 1) * n);
}

describe('deltascope --runtime node (Dawn)', () => {
  it('gpu-info names the Dawn adapter', () => {
    const r = cli(['gpu-info', '--runtime', 'node']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ maxBufferSize: expect.any(Number), maxStorageBufferBindingSize: expect.any(Number) });
  });

  it('extract: base, ft and delta match the fixture references', async () => {
    const out = path.join(tmp, 'extract');
    const r = cli(['extract', '--runtime', 'node', '--model', `${F}/model`, '--adapter', `${F}/adapters/r8`, '--tokens', `${F}/reference/input_ids.npy`, '--layers', '0,3', '--out', out, '--save-base']);
    expect(r.status, r.stderr).toBe(0);
    const st = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'activations.safetensors'))), 'activations.safetensors');
    for (const l of [0, 3]) {
      const post = await npyLayer('reference/adapters/r8/resid_post.npy', l);
      expectRel(await st.readF32(`base.${l}`), await npyLayer('reference/base/resid_post.npy', l), TOL.resid, `base.${l}`);
      expectRel(await st.readF32(`ft.r8.${l}`), post, TOL.resid, `ft.r8.${l}`);
      expectRel(await st.readF32(`delta.r8.${l}`), await npyLayer('reference/adapters/r8/delta.npy', l), TOL.delta, `delta.r8.${l}`, post.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
    }
  });

  it('train: log.json losses match the PyTorch TopK trace within 1e-4', async () => {
    const T = `${F}/training`;
    const out = path.join(tmp, 'train');
    const r = cli(['train', '--runtime', 'node', '--data', `${T}/data.npy`, '--arch', 'topk', '--width', '256', '--k', '4', '--lr', '0.002', '--steps', '50', '--batch', '64', '--init', `${T}/topk/init.safetensors`, '--order', `${T}/topk/batch_indices.npy`, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const log = JSON.parse(await readFile(path.join(out, 'log.json'), 'utf8')) as { steps: { step: number; loss: number }[] };
    const ref = parseNpy(new Uint8Array(await readFile(`${T}/topk/loss.npy`)), 'loss.npy').data as Float32Array;
    expect(log.steps).toHaveLength(50);
    for (const s of log.steps) expect(Math.abs(s.loss - ref[s.step]) / Math.abs(ref[s.step]), `step ${s.step}`).toBeLessThanOrEqual(TOL.trainLoss);
  });

  it('without a Vulkan driver Dawn finds no adapter: the message says how to point the loader at one', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'cli/deltascope.mjs'), 'gpu-info', '--runtime', 'node'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VK_ICD_FILENAMES: path.join(tmp, 'no-such-icd.json') } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Dawn found no GPU adapter\. On a Linux GPU server point the Vulkan loader at the driver/);
    expect(r.stderr).not.toMatch(/this browser/);
  });

  it('an unknown runtime is bad input: exit 2, one line', () => {
    const r = cli(['gpu-info', '--runtime', 'firefox']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('--runtime: "firefox" is not one of chromium, node');
  });
});
