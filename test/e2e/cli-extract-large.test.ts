// `extract` on a checkpoint whose single safetensors file is over 4 GiB (sparse): every tensor it reads lies past 4 GiB.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { expectRel } from '../helpers/assert.js';
import { FIXTURES_DIR as F } from '../helpers/fixtures.js';
import { writeModelPast4GiB } from '../helpers/sparse-safetensors.js';
import { TOL } from '../tolerances.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'extract-large-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function npyLayer(rel: string, l: number): Promise<Float32Array> {
  const a = parseNpy(new Uint8Array(await readFile(path.join(F, rel))), rel).data as Float32Array;
  const n = a.length / 4;
  return a.subarray(l * n, (l + 1) * n);
}

describe('deltascope extract, a 4.3 GB single-file checkpoint', () => {
  it('reads the tensors past 4 GiB by range and matches the fixture references', async () => {
    const model = path.join(tmp, 'model');
    await writeModelPast4GiB(path.join(F, 'model'), model);
    const out = path.join(tmp, 'out');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'cli/deltascope.mjs'), 'extract', '--model', model, '--adapter', `${F}/adapters/r8`, '--tokens', `${F}/reference/input_ids.npy`, '--layers', '0,3', '--out', out, '--save-base'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const st = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'activations.safetensors'))), 'activations.safetensors');
    for (const l of [0, 3]) {
      expectRel(await st.readF32(`base.${l}`), await npyLayer('reference/base/resid_post.npy', l), TOL.resid, `base.${l}`);
      expectRel(await st.readF32(`ft.r8.${l}`), await npyLayer('reference/adapters/r8/resid_post.npy', l), TOL.resid, `ft.r8.${l}`);
    }
  });
});
