import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { expectRel, relError } from '../helpers/assert.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { TOL } from '../tolerances.js';
import { PARAM_TOL, type FixtureArch } from '../helpers/sae-fixtures.js';

const F = `${FIXTURES_DIR}/training`;

async function npyF32(file: string): Promise<Float32Array> {
  // a plain Uint8Array copy: parseNpy misreads a Node Buffer (its slice() is a view)
  return parseNpy(new Uint8Array(await readFile(file)), file).data as Float32Array;
}

describe('deltascope train reproduces fixtures/training with --init and --order', () => {
  const runs = {
    'relu-l1': ['--l1', '0.5', 'relu'],
    topk: ['--k', '4', 'topk'],
    jumprelu: ['--l0', '0.2', '--bandwidth', '0.04', 'jumprelu'],
  } as const;
  for (const [arch, spec] of Object.entries(runs)) {
    const dir = spec[spec.length - 1] as FixtureArch;
    it(`${arch}: log.json losses within 1e-4, sae_weights.safetensors = final.safetensors`, async () => {
      const out = await mkdtemp(path.join(os.tmpdir(), `train-${dir}-`));
      const r = runCli([
        'train', '--data', `${F}/data.npy`, '--arch', arch, '--width', '256', ...spec.slice(0, -1), '--lr', '0.002', '--steps', '50',
        '--batch', '64', '--init', `${F}/${dir}/init.safetensors`, '--order', `${F}/${dir}/batch_indices.npy`, '--out', out,
      ]);
      expect(r.status, r.stderr).toBe(0);
      const log = JSON.parse(await readFile(path.join(out, 'log.json'), 'utf8')) as { steps: { step: number; loss: number; mse: number; l1: number; l0: number }[] };
      const ref = await npyF32(`${F}/${dir}/loss.npy`);
      expect(log.steps.map((s) => s.step)).toEqual([...Array(50).keys()]);
      for (const s of log.steps) expect(relError([s.loss], [ref[s.step]]), `step ${s.step}`).toBeLessThanOrEqual(TOL.trainLoss);
      const got = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'sae_weights.safetensors'))), 'sae_weights.safetensors');
      const want = await SafetensorsFile.open(new Uint8Array(await readFile(`${F}/${dir}/final.safetensors`)), 'final.safetensors');
      for (const n of ['W_enc', 'b_enc', 'W_dec', 'b_dec']) expectRel(await got.readF32(n), await want.readF32(n), PARAM_TOL[dir], n);
      if (dir === 'jumprelu') {
        const theta = (await want.readF32('log_theta')).map(Math.exp);
        expectRel(await got.readF32('threshold'), theta, TOL.params, 'threshold');
      }
      const cfg = JSON.parse(await readFile(path.join(out, 'cfg.json'), 'utf8')) as Record<string, unknown>;
      expect(cfg.d_in).toBe(64);
      expect(cfg.d_sae).toBe(256);
      const sparsity = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'sparsity.safetensors'))), 'sparsity.safetensors');
      expect(sparsity.info('log_feature_sparsity').shape).toEqual([256]);
    });
  }

  it('rejects an --order whose indices run past the data, naming the file (exit 2)', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'train-bad-'));
    const r = runCli(['train', '--data', `${F}/relu/loss.npy`, '--arch', 'topk', '--width', '8', '--k', '2', '--lr', '0.01', '--steps', '1', '--batch', '1', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('loss.npy');
    const r2 = runCli(['train', '--data', `${F}/data.npy`, '--arch', 'topk', '--width', '8', '--k', '2', '--lr', '0.01', '--steps', '2', '--batch', '64', '--order', `${F}/topk/topk_indices.npy`, '--out', out]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('topk_indices.npy');
  });
});
