import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import {
  type ModelFiles, SafetensorsCheckpoint, SafetensorsFile, loadLoraAdapterFolder, loadSaeFiles, modelFilesFromFileList, modelFilesFromMap, modelFilesFromUrl,
  openGemma2Checkpoint, writeSafetensors,
} from '../../../src/formats/index.js';
import { modelFilesFromDir } from '../../../src/formats/node-files.js';
import { FIXTURES_DIR, fixtureBytes, fixtureJson } from '../../helpers/fixtures.js';
import { sameBits } from './bits.js';

const TOKEN = 'hf_secret_token_for_tests';
const single = await SafetensorsFile.open(await fixtureBytes('model/model.safetensors'), 'model.safetensors');

/** Splits the fixture model into two shards + index, as transformers' save_pretrained(max_shard_size) does. */
async function splitModel(): Promise<Record<string, Uint8Array<ArrayBuffer>>> {
  const shards: Record<string, Parameters<typeof writeSafetensors>[0]> = { 'model-00001-of-00002.safetensors': {}, 'model-00002-of-00002.safetensors': {} };
  const weightMap: Record<string, string> = {};
  for (const [name, t] of single.tensors) {
    const shard = /layers\.[23]\.|model\.norm/.test(name) ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    shards[shard][name] = { dtype: t.dtype, shape: t.shape, data: new Uint8Array(await single.readRaw(name)) };
    weightMap[name] = shard;
  }
  const out: Record<string, Uint8Array<ArrayBuffer>> = {};
  for (const [n, t] of Object.entries(shards)) out[n] = writeSafetensors(t, { format: 'pt' });
  out['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ metadata: { total_size: 680000 }, weight_map: weightMap }));
  out['config.json'] = new Uint8Array(await fixtureBytes('model/config.json'));
  return out;
}
const sharded = await splitModel();

/** Static server over the fixtures (/fx/…), the in-memory shards (/shards/…), a token-gated copy (/gated/…) and a server that ignores Range (/norange/…). */
const log: { url: string; range?: string; auth?: string }[] = [];
function serve(req: IncomingMessage, res: ServerResponse, body: Uint8Array | undefined, honourRange: boolean): void {
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const m = honourRange ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
  if (!m) {
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
    return;
  }
  const a = Number(m[1]);
  const b = Math.min(m[2] ? Number(m[2]) : body.length - 1, body.length - 1);
  // /nototal/ mimics a cross-origin response whose Content-Range is not exposed to the page.
  const headers = req.url?.startsWith('/nototal/') ? {} : { 'Content-Range': `bytes ${a}-${b}/${body.length}` };
  res.writeHead(206, { ...headers, 'Content-Length': b - a + 1 }).end(body.subarray(a, b + 1));
}
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = decodeURIComponent(req.url ?? '');
  log.push({ url, range: req.headers.range, auth: req.headers.authorization });
  const [, area, ...rest] = url.split('/');
  const rel = rest.join('/');
  const fromDisk = async (): Promise<Uint8Array | undefined> => readFile(path.join(FIXTURES_DIR, path.normalize(rel))).catch(() => undefined);
  if (area === 'shards') return serve(req, res, sharded[rel], true);
  if (area === 'huge') {
    // Ignores Range and announces a 200 MB body: the reader must give up, not download it.
    res.writeHead(200, { 'Content-Length': 200_000_000 });
    res.write(new Uint8Array(1024));
    req.socket.on('close', () => res.destroy());
    return;
  }
  if (area === 'gated' && req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401).end();
    return;
  }
  serve(req, res, await fromDisk(), area !== 'norange');
}

let server: Server;
let origin = '';
beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

/** Same tensor names as the single file; data compared for every tensor, or for a spread of them (HTTP: one request each). */
async function expectSameWeights(ckpt: SafetensorsCheckpoint, every = 1): Promise<void> {
  expect([...ckpt.tensors.keys()].sort()).toEqual([...single.tensors.keys()].sort());
  const names = [...single.tensors.keys()].filter((_, i) => i % every === 0);
  for (const name of names) expect(sameBits(await ckpt.readF32(name), await single.readF32(name)), name).toBe(true);
}

describe('checkpoints from memory, local folders and URLs', () => {
  it('a sharded checkpoint in memory reads the same tensors as the single file', async () => {
    const ckpt = await SafetensorsCheckpoint.open(modelFilesFromMap(sharded, 'sharded'));
    expect(ckpt.shards).toHaveLength(2);
    expect(ckpt.fileOf('model.norm.weight').fileName).toBe('sharded/model-00002-of-00002.safetensors');
    await expectSameWeights(ckpt);
  });

  it('a local folder opens as a validated Gemma-2 checkpoint (F32 and BF16)', async () => {
    for (const dir of ['model', 'model-bf16']) {
      const { config, checkpoint } = await openGemma2Checkpoint(await modelFilesFromDir(path.join(FIXTURES_DIR, dir)));
      expect(config.headDim).toBe(12);
      expect(checkpoint.tensors.size).toBe(single.tensors.size);
      expect(checkpoint.info('model.layers.0.self_attn.q_proj.weight').dtype).toBe(dir === 'model' ? 'F32' : 'BF16');
    }
  });

  it('a single file over HTTP: Range requests only, readRows reads only its rows', async () => {
    const files = modelFilesFromUrl(`${origin}/fx/model`);
    log.length = 0;
    const { checkpoint } = await openGemma2Checkpoint(files);
    await expectSameWeights(checkpoint, 5);
    log.length = 0;
    const rows = await checkpoint.readRows('model.embed_tokens.weight', 100, 2);
    expect(sameBits(rows, (await single.readF32('model.embed_tokens.weight')).subarray(6400, 6528))).toBe(true);
    const t = checkpoint.info('model.embed_tokens.weight');
    expect(log.map((l) => l.range)).toEqual([`bytes=${t.begin + 100 * 256}-${t.begin + 102 * 256 - 1}`]);
  });

  it('a sharded checkpoint over HTTP', async () => {
    const { checkpoint } = await openGemma2Checkpoint(modelFilesFromUrl(`${origin}/shards/`));
    expect(checkpoint.shards.map((s) => s.fileName)).toEqual([`${origin}/shards/model-00001-of-00002.safetensors`, `${origin}/shards/model-00002-of-00002.safetensors`]);
    await expectSameWeights(checkpoint, 5);
  });

  it('a gated URL sends the bearer token on every request and fails clearly without it', async () => {
    log.length = 0;
    const ckpt = await SafetensorsCheckpoint.open(modelFilesFromUrl(`${origin}/gated/model`, TOKEN));
    await ckpt.readF32('model.norm.weight');
    expect(log.length).toBeGreaterThan(2);
    expect(log.every((l) => l.auth === `Bearer ${TOKEN}`)).toBe(true);
    const e = await rejection(SafetensorsCheckpoint.open(modelFilesFromUrl(`${origin}/gated/model`)));
    expect(e.message).toMatch(/HTTP 401: access denied/);
    expect(e.message).not.toContain(TOKEN);
  });

  it('a server that ignores Range still works for small files (the body is sliced)', async () => {
    const st = await SafetensorsFile.open({ url: `${origin}/norange/adapters/r4/adapter_model.safetensors` }, 'r4');
    const ref = await SafetensorsFile.open(await fixtureBytes('adapters/r4/adapter_model.safetensors'), 'r4');
    const n = 'base_model.model.model.layers.2.mlp.up_proj.lora_B.weight';
    expect(sameBits(await st.readF32(n), await ref.readF32(n))).toBe(true);
  });

  it('without a readable Content-Range the size comes from a HEAD request', async () => {
    const st = await SafetensorsFile.open({ url: `${origin}/nototal/adapters/r4/adapter_model.safetensors` }, 'r4');
    expect(st.sizeBytes).toBe(69408);
    expect(st.tensors.size).toBe(56);
  });

  it('a dropped folder (File objects with webkitRelativePath) opens like the local folder', async () => {
    const files: File[] = [];
    for (const [n, bytes] of Object.entries(sharded)) {
      const f = new File([bytes], n);
      Object.defineProperty(f, 'webkitRelativePath', { value: `my-gemma/${n}` });
      files.push(f);
    }
    const dropped = modelFilesFromFileList(files);
    expect(dropped.label).toBe('my-gemma');
    expect(dropped.names().sort()).toEqual(Object.keys(sharded).sort());
    await expectSameWeights((await openGemma2Checkpoint(dropped)).checkpoint);
  });

  it('a server that ignores Range on a large file is refused clearly', async () => {
    const e = await rejection(SafetensorsFile.open({ url: `${origin}/huge/model.safetensors` }, 'big.safetensors'));
    expect(e.problem).toMatch(/^the server ignores HTTP Range requests/);
  });

  it('adapters and SAEs load from URLs too', async () => {
    const adapter = await loadLoraAdapterFolder(modelFilesFromUrl(`${origin}/fx/adapters/r8-patterns/`), undefined, 'r8-patterns');
    expect(adapter.modules).toHaveLength(14);
    const sae = await loadSaeFiles(modelFilesFromMap({ 'cfg.json': { url: `${origin}/fx/sae/saelens/cfg.json` }, 'sae_weights.safetensors': { url: `${origin}/fx/sae/saelens/sae_weights.safetensors` } }, 'remote'));
    expect(sae.dSae).toBe(256);
  });
});

describe('bad checkpoints', () => {
  it('an index that points at a missing shard names the shard and the index', async () => {
    const files = { ...sharded };
    delete files['model-00002-of-00002.safetensors'];
    const e = await rejection(SafetensorsCheckpoint.open(modelFilesFromMap(files, 'ckpt')));
    expect(e.file).toBe('ckpt/model.safetensors.index.json');
    expect(e.problem).toBe('weight_map points at shard "model-00002-of-00002.safetensors", which is missing');
    const eUrl = await rejection(SafetensorsCheckpoint.open({ ...modelFilesFromUrl(`${origin}/shards/`), get: (n: string) => (n.includes('00002') ? { url: `${origin}/shards/nope` } : { url: `${origin}/shards/${n}` }) }));
    expect(eUrl.problem).toMatch(/which is missing/);
  });

  it('an index entry whose shard lacks the tensor, and a folder with no weights', async () => {
    const index = JSON.parse(new TextDecoder().decode(sharded['model.safetensors.index.json'])) as { weight_map: Record<string, string> };
    index.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    const files: ModelFiles = modelFilesFromMap({ ...sharded, 'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify(index)) }, 'c');
    expect((await rejection(SafetensorsCheckpoint.open(files))).problem).toBe('tensor model.norm.weight is listed in model.safetensors.index.json but not in this shard');
    expect((await rejection(SafetensorsCheckpoint.open(modelFilesFromMap({}, 'empty')))).problem).toMatch(/no model\.safetensors or model\.safetensors\.index\.json/);
  });

  it('a checkpoint whose tensors disagree with config.json is rejected naming the tensor', async () => {
    const cfg = await fixtureJson<Record<string, unknown>>('model/config.json');
    cfg.head_dim = 16;
    const files = modelFilesFromMap({ ...sharded, 'config.json': new TextEncoder().encode(JSON.stringify(cfg)) }, 'm');
    const e = await rejection(openGemma2Checkpoint(files));
    expect(e.problem).toBe('tensor model.layers.0.self_attn.q_proj.weight is [48, 64], config.json implies [64, 64]');
  });
});
