import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../cli/chromium.mjs';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface ExtractionPage {
  state: { shards: number };
  run(db: string): Promise<{ runId: string; shardsWritten: number; complete: boolean }>;
  status(db: string): Promise<{ runId: string; shards: number; complete: boolean }[]>;
  digest(db: string, runId: string): Promise<string>;
}
type PageGlobal = { extractionPage: ExtractionPage };

let server: ViteDevServer;
let browser: Browser;
let context: BrowserContext;
let url: string;

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as Partial<PageGlobal>).extractionPage !== undefined, null, { timeout: 120_000 });
  return page;
}

describe('extraction survives closing the page mid-run (real Chromium, real IndexedDB, Vite-served page)', () => {
  beforeAll(async () => {
    server = await createServer({
      root: ROOT,
      configFile: false,
      logLevel: 'error',
      server: { port: 0, host: '127.0.0.1', fs: { allow: [ROOT, FIXTURES_DIR] } },
      worker: { format: 'es' },
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('vite did not listen on a port');
    url = `http://127.0.0.1:${address.port}/test/e2e/pages/extraction.html?fixtures=${encodeURIComponent(FIXTURES_DIR)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('a run interrupted by closing its page resumes in a new page and stores exactly what an uninterrupted run stores', async () => {
    const page = await openPage();
    const plain = await page.evaluate(() => (globalThis as unknown as PageGlobal).extractionPage.run('e2e-plain'));
    expect([plain.shardsWritten, plain.complete]).toEqual([6, true]);
    const want = await page.evaluate(([id]) => (globalThis as unknown as PageGlobal).extractionPage.digest('e2e-plain', id), [plain.runId]);

    // Start the same run in another database and close the page once two shards are stored.
    const doomed = await openPage();
    void doomed.evaluate(() => (globalThis as unknown as PageGlobal).extractionPage.run('e2e-reload')).catch(() => undefined);
    await doomed.waitForFunction(() => (globalThis as unknown as PageGlobal).extractionPage.state.shards >= 2, null, { timeout: 300_000, polling: 50 });
    await doomed.close();

    const again = await openPage();
    const [before] = await again.evaluate(() => (globalThis as unknown as PageGlobal).extractionPage.status('e2e-reload'));
    expect(before.runId).toBe(plain.runId);
    expect(before.complete).toBe(false);
    expect(before.shards).toBeGreaterThanOrEqual(2);
    expect(before.shards).toBeLessThan(6);
    const resumed = await again.evaluate(() => (globalThis as unknown as PageGlobal).extractionPage.run('e2e-reload'));
    expect([resumed.runId, resumed.shardsWritten, resumed.complete]).toEqual([plain.runId, 6 - before.shards, true]);
    const got = await again.evaluate(([id]) => (globalThis as unknown as PageGlobal).extractionPage.digest('e2e-reload', id), [resumed.runId]);
    expect(got).toBe(want);
  });
});
