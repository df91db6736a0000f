import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import { fetchFile, fetchRequiredFile, hasFile, modelFilesFromUrl, readText, SafetensorsCheckpoint, writeSafetensors } from '../../../src/formats/index.js';

/**
 * A static host as Vite's dev and preview servers behave: known files (with Range support), and for
 * anything else its index.html with status 200 (SPA fallback). A few paths answer the other surprises.
 */
const INDEX_HTML = '<!doctype html>\n<html lang="en"><head><title>deltascope</title></head><body><div id="root"></div></body></html>\n';
const MODEL = writeSafetensors({ 'model.embed_tokens.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } });
const LONG_TEXT = 'x'.repeat(10_000);
const FILES: Record<string, { type: string; body: Uint8Array }> = {
  '/model/config.json': { type: 'application/json', body: new TextEncoder().encode('{"model_type":"gemma2"}') },
  '/model/model.safetensors': { type: 'application/octet-stream', body: MODEL },
  '/page-as-bytes.bin': { type: 'application/octet-stream', body: new TextEncoder().encode(`\uFEFF  ${INDEX_HTML}`) },
  '/starts-with-angle.txt': { type: 'text/plain', body: new TextEncoder().encode('<not html> but text') },
  '/long.txt': { type: 'text/plain', body: new TextEncoder().encode(LONG_TEXT) },
};

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/broken.json') return void res.writeHead(500, 'Internal Server Error').end('oops');
    if (path === '/denied.json') return void res.writeHead(403).end();
    if (path === '/gone.json') return void res.writeHead(404).end();
    const file = FILES[path];
    if (!file) return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(INDEX_HTML);
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range) {
      const [start, end] = [Number(range[1]), Math.min(Number(range[2]), file.body.byteLength - 1)];
      res.writeHead(206, { 'Content-Type': file.type, 'Content-Range': `bytes ${start}-${end}/${file.body.byteLength}`, 'Content-Length': end - start + 1 });
      return void res.end(file.body.subarray(start, end + 1));
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.byteLength });
    // Small writes, so the first bytes arrive in more than one chunk.
    for (let at = 0; at < file.body.byteLength; at += 7) res.write(file.body.subarray(at, at + 7));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fetchFile against a server with an SPA fallback', () => {
  it('reads a file that exists, every byte', async () => {
    const got = await fetchFile(`${base}/long.txt`, 'long.txt');
    expect('found' in got && (await got.found.text())).toBe(LONG_TEXT);
  });

  it('takes the HTML page served for a missing file as "absent", like a 404', async () => {
    const got = await fetchFile(`${base}/model/model.safetensors.index.json`, 'index');
    expect(got).toEqual({ absent: expect.stringContaining('web page') });
    expect(await fetchFile(`${base}/gone.json`, 'gone')).toEqual({ absent: 'HTTP 404: not found' });
    // Also for a Range request, as hasFile sends.
    expect('absent' in (await fetchFile(`${base}/missing.bin`, 'm', { range: 'bytes=0-0' }))).toBe(true);
  });

  it('recognises an HTML page by its first bytes when the content type does not say so', async () => {
    expect(await fetchFile(`${base}/page-as-bytes.bin`, 'p')).toEqual({ absent: expect.stringContaining('web page') });
    const text = await fetchFile(`${base}/starts-with-angle.txt`, 't');
    expect('found' in text && (await text.found.text())).toBe('<not html> but text');
  });

  it('takes a partial answer as the file, whatever its first byte', async () => {
    const got = await fetchFile(`${base}/page-as-bytes.bin`, 'p', { range: 'bytes=5-9' });
    expect('found' in got && got.found.status).toBe(206);
  });

  it('throws one clear error naming the URL for any other surprise', async () => {
    await expect(fetchFile(`${base}/broken.json`, `${base}/broken.json`)).rejects.toThrow(new InputError(`${base}/broken.json`, 'HTTP 500 Internal Server Error'));
    await expect(fetchFile(`${base}/denied.json`, `${base}/denied.json`)).rejects.toThrow(/denied\.json: HTTP 403: access denied/);
    await expect(fetchFile('http://127.0.0.1:1/x.json', 'http://127.0.0.1:1/x.json')).rejects.toThrow(/^http:\/\/127\.0\.0\.1:1\/x\.json: cannot fetch/);
    await expect(fetchRequiredFile(`${base}/nothing.json`, `${base}/nothing.json`)).rejects.toThrow(new RegExp(`^${base}/nothing\\.json: not found \\(the server answered with a web page`));
  });
});

describe('model folders read by URL from such a server', () => {
  it('hasFile says absent for the fallback page and present for real files', async () => {
    const files = modelFilesFromUrl(`${base}/model/`);
    expect(await hasFile(files, 'model.safetensors.index.json')).toBe(false);
    expect(await hasFile(files, 'model.safetensors')).toBe(true);
    await expect(hasFile(modelFilesFromUrl(`${base}/`), 'broken.json')).rejects.toThrow(`${base}/broken.json: HTTP 500`);
  });

  it('opens a single-file checkpoint without mistaking the fallback page for an index', async () => {
    const ckpt = await SafetensorsCheckpoint.open(modelFilesFromUrl(`${base}/model/`));
    expect([...ckpt.tensors.keys()]).toEqual(['model.embed_tokens.weight']);
    expect(new Float32Array(await ckpt.readRaw('model.embed_tokens.weight'))).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it('a missing required file is reported as not found, naming its URL', async () => {
    await expect(readText({ url: `${base}/model/tokenizer.json` }, `${base}/model/tokenizer.json`)).rejects.toThrow(`${base}/model/tokenizer.json: not found (the server answered with a web page`);
  });
});
