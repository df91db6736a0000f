import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/formats/index.js';
import { expectPanelsShow, panelsDrawnAt, watchPanelsDrawn } from './app-panels.js';
import { expectChangeViewsShow } from './change-views.js';
import { launchChromium, OUTPUT_DIR } from './serve-app.js';

/**
 * The README's first command, as a user types it: `npm run demo` (the Vite dev server, opening /?demo).
 * BROWSER=none is Vite's switch for not opening a window; the port is a free one passed through npm.
 * The page it serves draws the shipped results, then "Run it live" runs the whole pipeline through the dev
 * server to its end and the panels equal the bundle it exports (app-demo.test.ts does the same under
 * `vite preview` and compares the run with the shipped bundle).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

let demo: ChildProcess;
let output = '';
let url: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The "Local:" URL Vite prints once it serves (colour codes stripped). */
function servedUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo did not serve within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Local:\s+(http:\/\/\S+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run demo exited (${code}) before serving:\n${output}`));
    });
  });
}

describe('README: npm run demo serves /?demo and the demo runs (Vite dev server, real Chromium)', () => {
  beforeAll(async () => {
    const port = await freePort();
    // Its own process group, so the npm → vite process tree is stopped together afterwards.
    demo = spawn('npm', ['run', 'demo', '--', '--port', String(port), '--strictPort'], { cwd: ROOT, env: { ...process.env, BROWSER: 'none' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await servedUrl(demo, 180_000);
    expect(url).toContain(`:${port}/`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await watchPanelsDrawn(page);
    // The dev server compiles modules on first request: its first load is slow on a busy 2-core machine.
    await page.goto(new URL('?demo', url).href, { timeout: 300_000 });
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 120_000 });
  });

  afterAll(async () => {
    await browser?.close();
    if (demo?.pid !== undefined && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      process.kill(-demo.pid, 'SIGTERM');
      await exited;
    }
  });

  it('draws the shipped results and loads the demo setup without an error', async () => {
    // Printed, not asserted (no timings in tests); the issue asks for under 5 s. The dev server compiles each
    // module on its first request, so a first visit is slower than under `vite preview`.
    const t = await panelsDrawnAt(page);
    console.log(`/?demo (vite dev): app mounted ${Math.round(t.app)} ms, every panel drawn from the shipped bundle ${Math.round(t.panels)} ms after navigation started`);
    await expect.poll(() => page.getByTestId('run-demo').isDisabled(), { timeout: 120_000 }).toBe(false);
    for (const name of ['r4', 'r8', 'r16', 'r32']) {
      await expect.poll(() => page.getByTestId(`adapter-${name}`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
    }
    expect(pageErrors).toEqual([]);
  });

  it('runs the demo live through the dev server to its end; the panels equal the bundle it exports', { timeout: 2_700_000 }, async () => {
    const started = Date.now();
    await page.getByTestId('run-demo').click();
    await page.locator('[data-testid="run-panel"][data-status="done"], [data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 2_640_000 });
    const log = (await page.locator('.log').textContent()) ?? '';
    console.log(`npm run demo: the live run finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'readme-demo-done.png'), fullPage: true });
    expect(await page.getByTestId('run-panel').getAttribute('data-status'), log).toBe('done');
    expect(log).not.toMatch(/invalid JSON|HTTP \d{3}|not found/);
    const download = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    const file = path.join(OUTPUT_DIR, 'readme-demo-bundle.zip');
    await (await download).saveAs(file);
    const { metrics } = await readBundle(new Uint8Array(readFileSync(file)), 'readme-demo-bundle.zip');
    await expectPanelsShow(page, metrics);
    await expectChangeViewsShow(page, metrics);
    expect(pageErrors).toEqual([]);
  });
});
