import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { deserializeError, GpuError } from '../src/errors/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { NO_ADAPTER_HELP } from './node-webgpu.js';
import type { TaskOutcome } from './page/cli-page.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const SOURCES = ['src', 'workers', 'cli/page', 'public', 'index.html', 'cli.html', 'vite.config.ts', 'package.json'];


export interface BrowserRunOptions {
  /** key → local file or folder; the page receives `files[key]` as an HTTP URL (folders end in "/"). */
  files?: Record<string, string>;
}

/** Where page-side tasks run: headless Chromium (default), or Node with WebGPU from Dawn (GPU servers without a browser). */
export type Runtime = 'chromium' | 'node';
export const RUNTIMES: readonly Runtime[] = ['chromium', 'node'];
let runtime: Runtime = 'chromium';

/** Chosen once per CLI call (`--runtime`), before any command runs. */
export function setRuntime(r: Runtime): void {
  runtime = r;
}

/**
 * Runs the page's task entry (cli/page/cli-page.ts) in this Node process: Dawn's WebGPU and an in-memory
 * IndexedDB stand in for the browser's, Vite's SSR loader compiles the same src/ code (WGSL `?raw` included),
 * and inputs/outputs go through the same HTTP server as with Chromium.
 */
async function runTaskInNode(task: string, args: Record<string, unknown>, base: string): Promise<TaskOutcome> {
  const { installNodeWebGpu } = await import('./node-webgpu.js');
  await installNodeWebGpu();
  // @ts-expect-error -- the package ships no types for its side-effect entry
  await import('fake-indexeddb/auto');
  const g = globalThis as { __deltascopeProgress?: (l: string) => void; __deltascopeOutBase?: string; deltascopeCli?: { run(n: string, a: unknown): Promise<TaskOutcome> } };
  g.__deltascopeProgress = (line) => process.stderr.write(`${line}\n`);
  g.__deltascopeOutBase = base;
  const { createServer } = await import('vite');
  const vite = await createServer({ root: ROOT, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false } });
  try {
    await vite.ssrLoadModule('/cli/page/cli-page.ts');
    return await g.deltascopeCli!.run(task, args);
  } finally {
    await vite.close();
  }
}

export interface BrowserRunResult<T> {
  result: T;
  /** Files the page sent with putOutput(name, bytes). */
  outputs: Map<string, Uint8Array>;
}

function newestMtime(p: string): number {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return 0;
  const s = statSync(full);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const e of readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** Builds dist/ when it is missing or older than the sources; a lock folder keeps parallel CLIs from building twice. */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(ROOT, '.build-lock');
  const stale = () => !existsSync(path.join(DIST, 'cli.html')) || statSync(path.join(DIST, 'cli.html')).mtimeMs < Math.max(...SOURCES.map(newestMtime));
  if (!stale()) return;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (!stale()) return;
    const { build } = await import('vite');
    await build({ root: ROOT, logLevel: 'warn', configFile: path.join(ROOT, 'vite.config.ts') });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain',
};

/** Serves one file with HEAD and single-range GET support (safetensors are read by byte range). */
function serveFile(req: http.IncomingMessage, res: http.ServerResponse, file: string): void {
  let size: number;
  try {
    const s = statSync(file);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  const headers = { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function inside(base: string, rel: string): string | null {
  const full = path.resolve(base, `.${path.sep}${rel}`);
  return full === base || full.startsWith(base + path.sep) ? full : null;
}

/**
 * Runs a page-side task (cli/page/tasks) in headless Chromium on the built app and returns its result.
 * Inputs are served to the page over HTTP; outputs come back through putOutput. An InputError thrown in
 * the page is rethrown here as an InputError, so the CLI exits 2 with its one line.
 */
export async function runInBrowser<T>(task: string, args: Record<string, unknown>, opts: BrowserRunOptions = {}): Promise<BrowserRunResult<T>> {
  if (runtime === 'chromium') await ensureBuilt();
  const outputs = new Map<string, Uint8Array>();
  const files = Object.entries(opts.files ?? {}).map(([key, p]) => ({ key, local: path.resolve(p) }));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (req.method === 'POST' && parts[1] === 'out') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        outputs.set(parts.slice(2).join('/'), new Uint8Array(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
      return;
    }
    if (parts[1] === 'files') {
      const entry = files.find((f) => f.key === parts[2]);
      const target = entry && (parts.length > 3 ? inside(entry.local, parts.slice(3).join('/')) : entry.local);
      if (!target) res.writeHead(404).end();
      else serveFile(req, res, target);
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    // Node runs the sources (no build): the demo's assets are served from where Vite's build copies them from.
    const target = inside(runtime === 'node' ? path.join(ROOT, 'public') : DIST, rel);
    if (!target) res.writeHead(404).end();
    else serveFile(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fileUrls = Object.fromEntries(
    files.map((f) => [f.key, `${base}/files/${encodeURIComponent(f.key)}${existsSync(f.local) && statSync(f.local).isDirectory() ? '/' : ''}`]),
  );
  if (runtime === 'node') {
    try {
      const outcome = await runTaskInNode(task, { ...args, files: fileUrls }, base);
      if (!outcome.ok) {
        const e = deserializeError(outcome.error);
        // the page's "no WebGPU" help speaks of browsers; in Node the fix is the Vulkan driver
        throw e.code === 'gpu-unavailable' ? new GpuError('gpu-unavailable', NO_ADAPTER_HELP) : e;
      }
      return { result: outcome.result as T, outputs };
    } finally {
      server.close();
    }
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.exposeFunction('__deltascopeProgress', (line: string) => process.stderr.write(`${line}\n`));
    await page.goto(`${base}/cli.html`);
    await page.waitForFunction(() => 'deltascopeCli' in globalThis);
    const outcome = await page.evaluate(
      ([name, taskArgs]) => (globalThis as unknown as { deltascopeCli: { run(n: string, a: unknown): Promise<TaskOutcome> } }).deltascopeCli.run(name, taskArgs),
      [task, { ...args, files: fileUrls }] as const,
    );
    if (!outcome.ok) throw deserializeError(outcome.error);
    return { result: outcome.result as T, outputs };
  } finally {
    await browser.close();
    server.close();
  }
}
