import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureBuilt } from '../../cli/browser.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../cli/chromium.mjs';

/**
 * Shared e2e setup: the BUILT app (vite build, rebuilt only when sources are newer) served over HTTP by a
 * tiny static server on a free port, and headless Chromium with the WebGPU flags.
 */

const DIST = path.resolve(import.meta.dirname, '../../dist');
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8', '.npz': 'application/octet-stream', '.safetensors': 'application/octet-stream',
};

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

function send(req: http.IncomingMessage, res: http.ServerResponse, file: string): void {
  const size = statSync(file).size;
  const type = MIME[path.extname(file)] ?? 'application/octet-stream';
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
    if (start >= size || end < start) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

export async function serveApp(): Promise<ServedApp> {
  await ensureBuilt();
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(DIST, `.${rel}`);
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    let target = file;
    try {
      if (statSync(target).isDirectory()) target = path.join(target, 'index.html');
      statSync(target);
    } catch {
      res.writeHead(404).end();
      return;
    }
    send(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
