#!/usr/bin/env node
// Runs bench/<name>.bench.ts in headless Chromium (WebGPU; SwiftShader where there is no GPU) on a Vite dev
// server, printing the page's lines. Usage: node bench/run-bench.mjs matmul   (npm run bench:matmul)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../cli/chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2] ?? 'matmul';
const TIMEOUT_MS = 20 * 60_000;


const server = await createServer({
  root: ROOT,
  configFile: false,
  logLevel: 'error',
  // No HMR and no file watching: edits elsewhere in the tree must not reload the page mid-run.
  server: { port: 0, host: '127.0.0.1', fs: { allow: [ROOT] }, hmr: false, watch: null },
  // onnxruntime-web finds its .wasm/.mjs through env.wasm.wasmPaths (/node_modules/onnxruntime-web/dist/), not the bundler.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
await server.listen();
const { port } = server.httpServer.address();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('[bench] ')) console.log(text.slice(8));
    else if (msg.type() === 'error' && !text.startsWith('Failed to load resource')) console.error(`page: ${text}`);
  });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) console.error(`page: HTTP ${r.status()} for ${r.url()}`);
  });
  await page.goto(`http://127.0.0.1:${port}/bench/index.html?bench=${encodeURIComponent(name)}`);
  await page.waitForFunction(() => window.benchDone !== undefined, null, { timeout: TIMEOUT_MS, polling: 500 });
  const done = await page.evaluate(() => window.benchDone);
  if (!done.ok) {
    console.error(`bench ${name} failed: ${done.error}`);
    failed = true;
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
