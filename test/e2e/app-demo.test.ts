import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/formats/index.js';
import { panelNumbers, screenshotPanels } from './app-panels.js';
import { launchChromium, OUTPUT_DIR, serveApp, type ServedApp } from './serve-app.js';

/** The README's first command opens /?demo: the demo preloads and "Run demo" completes the whole pipeline. */

let app: ServedApp;
let browser: Browser;
let page: Page;

describe('the built-in demo (built app, real Chromium)', () => {
  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await page.goto(`${app.url}?demo`);
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('preloads the demo setup with every adapter and dictionary checked', async () => {
    await expect.poll(() => page.getByTestId('run-demo').isDisabled(), { timeout: 60_000 }).toBe(false);
    // Each adapter is checked against the base model on its own; wait for every check to finish.
    for (const name of ['r4', 'r8', 'r16', 'r32']) {
      await expect.poll(() => page.getByTestId(`adapter-${name}`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
    }
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo-start.png') });
  });

  it('runs the demo to completion, and the bundle holds the numbers the panels show', { timeout: 1_500_000 }, async () => {
    await page.getByTestId('run-demo').click();
    await page.locator('[data-testid="run-panel"][data-status="done"], [data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 1_450_000 });
    const log = await page.locator('.log').textContent();
    expect(await page.getByTestId('run-panel').getAttribute('data-status'), log ?? '').toBe('done');
    const shown = await panelNumbers(page);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo-done.png'), fullPage: true });
    await screenshotPanels(page, 'demo');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    const file = path.join(OUTPUT_DIR, 'demo-bundle.zip');
    await (await download).saveAs(file);
    const { metrics } = await readBundle(new Uint8Array(readFileSync(file)), 'demo-bundle.zip');
    for (const d of metrics.deltaNorms) expect(shown[`delta-norms:${d.layer}/${d.adapter}`]).toBe(d.meanDeltaNorm);
    for (const a of metrics.alignment) expect(shown[`alignment:${a.layer}/${a.adapter}`]).toBe(a.observed.meanMaxCos);
    expect(metrics.reconstruction).toHaveLength(8);
    expect(metrics.alignment.every((a) => a.ceiling && a.floor && a.randomLora)).toBe(true);
  });
});
