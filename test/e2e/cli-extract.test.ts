import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { expectRel } from '../helpers/assert.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { TOL } from '../tolerances.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const F = FIXTURES_DIR;

/** Runs the CLI without blocking this process (the URL test serves the model from here). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'cli/deltascope.mjs'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function npy(rel: string): Promise<Float32Array> {
  // a plain Uint8Array copy: parseNpy misreads a Node Buffer (its slice() is a view)
  const a = parseNpy(new Uint8Array(await readFile(path.join(F, rel))), rel);
  return a.data as Float32Array;
}

/** Layer l of a [layers, batch, seq, hidden] reference array. */
function layerOf(a: Float32Array, l: number, layers = 4): Float32Array {
  const n = a.length / layers;
  return a.subarray(l * n, (l + 1) * n);
}

const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** A static server with single-range GET and CORS, like the Hugging Face Hub's file endpoint. */
function rangeServer(root: string): http.Server {
  return http.createServer((req, res) => {
    const headers = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Range, Authorization', 'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, headers).end();
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return void res.writeHead(404, headers).end();
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
      if (req.method === 'HEAD') return void res.end();
      return void createReadStream(file, { start, end }).pipe(res);
    }
    res.writeHead(200, { ...headers, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
}

describe('deltascope extract', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = rangeServer(F);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  it('writes deltas, base and ft activations and stats for the fixture model and five adapters', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'extract-'));
    const names = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];
    const r = await cli(['extract', '--model', `${F}/model`, ...names.flatMap((n) => ['--adapter', `${F}/adapters/${n}`]), '--tokens', `${F}/reference/input_ids.npy`, '--layers', '0,3', '--dtype', 'f32', '--out', out, '--save-base']);
    expect(r.status, r.stderr).toBe(0);
    const st = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'activations.safetensors'))), 'activations.safetensors');
    expect(st.info('delta.r4.0')).toMatchObject({ dtype: 'F32', shape: [4, 24, 64] });
    const basePost = await npy('reference/base/resid_post.npy');
    const heat = await npy('reference/delta_norm_heatmap.npy');
    const stats = JSON.parse(await readFile(path.join(out, 'stats.json'), 'utf8')) as { layers: number[]; adapters: string[]; mean_delta_norm: number[][] };
    expect(stats.layers).toEqual([0, 3]);
    expect(stats.adapters).toEqual(names);
    for (const l of [0, 3]) {
      expectRel(await st.readF32(`base.${l}`), layerOf(basePost, l), TOL.resid, `base.${l}`);
      for (const [k, n] of names.entries()) {
        const post = layerOf(await npy(`reference/adapters/${n}/resid_post.npy`), l);
        expectRel(await st.readF32(`ft.${n}.${l}`), post, TOL.resid, `ft.${n}.${l}`);
        expectRel(await st.readF32(`delta.${n}.${l}`), layerOf(await npy(`reference/adapters/${n}/delta.npy`), l), TOL.delta, `delta.${n}.${l}`, maxAbs(post));
        const li = stats.layers.indexOf(l);
        expect(Math.abs(stats.mean_delta_norm[k][li] - heat[k * 4 + l]) / heat[k * 4 + l], `heatmap ${n} L${l}`).toBeLessThanOrEqual(TOL.heatmap);
      }
    }
  });

  it('reads the model over HTTP (Range) from a URL', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'extract-url-'));
    const r = await cli(['extract', '--model', `${base}/model/`, '--adapter', `${F}/adapters/r8`, '--tokens', `${F}/reference/input_ids.npy`, '--layers', '1', '--dtype', 'q8', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const st = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'activations.safetensors'))), 'activations.safetensors');
    expect([...st.tensors.keys()]).toEqual(['delta.r8.1']);
    const post = layerOf(await npy('reference/quant/q8/adapters/r8/resid_post.npy'), 1);
    expectRel(await st.readF32('delta.r8.1'), layerOf(await npy('reference/quant/q8/adapters/r8/delta.npy'), 1), TOL.quant, 'q8 delta.r8.1 over HTTP', maxAbs(post));
  });

  it('tokenises --text with --tokenizer into BOS-led sequences of --seq positions', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'extract-text-'));
    const text = path.join(out, 'input.txt');
    const expected = JSON.parse(await readFile(path.join(F, 'tokenizer/expected.json'), 'utf8')) as { cases: { text: string }[] };
    await writeFile(text, expected.cases.slice(-4).map((c) => c.text).join('\n\n'));
    const r = await cli(['extract', '--model', `${F}/model`, '--adapter', `${F}/adapters/r4`, '--text', text, '--tokenizer', `${F}/tokenizer`, '--seq', '16', '--layers', '0', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const stats = JSON.parse(await readFile(path.join(out, 'stats.json'), 'utf8')) as { sequences: number; positions: number; mean_delta_norm: number[][] };
    expect(stats.positions).toBe(16);
    expect(stats.sequences).toBeGreaterThan(4);
    const st = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(out, 'activations.safetensors'))), 'activations.safetensors');
    expect(st.info('delta.r4.0').shape).toEqual([stats.sequences, 16, 64]);
    expect(stats.mean_delta_norm[0][0]).toBeGreaterThan(0);
  });

  for (const [what, args, line] of [
    ['an unknown dtype', ['--dtype', 'q3'], /^--dtype: "q3" is not one of f32, f16, q8, q4$/],
    ['a layer the model lacks', ['--layers', '0,9'], /^--layers: layer 9 is outside 0\.\.3 of /],
    ['a float token file', ['--tokens', `${F}/reference/base/logits.npy`], /logits\.npy: expected a 2-D \[sequences, positions\] array/],
  ] as const) {
    it(`rejects ${what} with exit 2 and one line`, async () => {
      const all = ['extract', '--model', `${F}/model`, '--tokens', `${F}/reference/input_ids.npy`, '--layers', '0', '--out', os.tmpdir()];
      for (let i = 0; i < args.length; i += 2) {
        const at = all.indexOf(args[i]);
        if (at >= 0) all[at + 1] = args[i + 1];
        else all.push(args[i], args[i + 1]);
      }
      const r = await cli(all);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toMatch(line);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
