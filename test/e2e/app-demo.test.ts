import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, type ResultMetrics } from '../../src/formats/index.js';
import { metricsDifferences } from '../helpers/metrics-compare.js';
import { expectPanelsShow, panelsDrawnAt, screenshotPanels, watchPanelsDrawn } from './app-panels.js';
import { expectChangeViewsShow } from './change-views.js';
import { clickLatencyMs, longestTaskSince, pageNow, recordLongTasks } from './responsiveness.js';
import { launchChromium, OUTPUT_DIR, serveApp, type ServedApp } from './serve-app.js';

/**
 * The README's first command opens /?demo: every panel draws at once from the result bundle shipped in
 * public/demo, the demo preloads, and "Run it live" completes the whole pipeline, reproducing that bundle.
 */

const SHIPPED = path.resolve(import.meta.dirname, '../../public/demo/bundle.zip');

let app: ServedApp;
let browser: Browser;
let page: Page;
let shipped: ResultMetrics;

describe('the built-in demo (built app, real Chromium)', () => {
  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    shipped = (await readBundle(new Uint8Array(readFileSync(SHIPPED)), SHIPPED)).metrics;
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await watchPanelsDrawn(page);
    await recordLongTasks(page);
    await page.goto(`${app.url}?demo`);
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws every panel from the shipped bundle right after load (time printed), with a reading of what they show', async () => {
    // Printed, not asserted (no timings in tests); the issue asks for under 5 s.
    const t = await panelsDrawnAt(page);
    console.log(`/?demo (vite preview): app mounted ${Math.round(t.app)} ms, every panel drawn from the shipped bundle ${Math.round(t.panels)} ms after navigation started`);
    await expectPanelsShow(page, shipped);
    await expectChangeViewsShow(page, shipped);
    const sparsity = await page.locator('[data-testid="reading"] [data-reading="sparsity"]').textContent();
    const sparsest = [...shipped.reconstruction].sort((x, y) => x.deltaSae.meanL0 - y.deltaSae.meanL0)[0];
    expect(sparsity).toContain(`(layer ${sparsest.layer}, ${sparsest.adapter}) to `);
    expect(sparsity).toContain(`of the ${sparsest.deltaSae.width} latents`);
    expect(await page.locator('[data-testid="reading"] [data-reading]').count()).toBe(5);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo-shipped.png'), fullPage: true });
  });

  it('preloads the demo setup with every adapter and dictionary checked', async () => {
    await expect.poll(() => page.getByTestId('run-demo').isDisabled(), { timeout: 60_000 }).toBe(false);
    // Each adapter is checked against the base model on its own; wait for every check to finish.
    for (const name of ['r4', 'r8', 'r16', 'r32']) {
      await expect.poll(() => page.getByTestId(`adapter-${name}`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
    }
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo-start.png') });
  });

  // Up to ~45 min on two busy cores with SwiftShader (24 min was not enough there).
  it('"Run it live" reruns the demo to completion, and the bundle holds the numbers the panels show', { timeout: 2_700_000 }, async () => {
    const runStart = await pageNow(page);
    await page.getByTestId('run-demo').click();
    // The page stays responsive while the worker extracts and trains and the panels fill in.
    const setupToggle = page.locator('details.setup > summary');
    const opened = (el: Element) => (el.parentElement as HTMLDetailsElement).open;
    await page.locator('[data-stage="extract"][data-done="false"] .stage-text').filter({ hasNotText: 'waiting' }).waitFor({ timeout: 1_200_000 });
    const duringExtract = await clickLatencyMs(page, setupToggle, opened);
    await page.locator('[data-stage="train"][data-done="false"] .stage-text').filter({ hasText: 'steps' }).waitFor({ timeout: 1_200_000 });
    const duringTrain = await clickLatencyMs(page, setupToggle, opened);
    await page.locator('[data-testid="run-panel"][data-status="done"], [data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 2_640_000 });
    const log = await page.locator('.log').textContent();
    expect(await page.getByTestId('run-panel').getAttribute('data-status'), log ?? '').toBe('done');
    const longest = await longestTaskSince(page, runStart);
    console.log(`demo live run, main thread: longest task ${longest.maxMs.toFixed(0)} ms (${longest.count} over 50 ms); click → frame ${duringExtract.toFixed(0)} ms during extraction, ${duringTrain.toFixed(0)} ms during training`);
    expect(longest.maxMs).toBeLessThan(100);
    expect(duringExtract).toBeLessThan(200);
    expect(duringTrain).toBeLessThan(200);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo-done.png'), fullPage: true });
    await screenshotPanels(page, 'demo');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    const file = path.join(OUTPUT_DIR, 'demo-bundle.zip');
    await (await download).saveAs(file);
    const { metrics } = await readBundle(new Uint8Array(readFileSync(file)), 'demo-bundle.zip');
    await expectPanelsShow(page, metrics);
    await expectChangeViewsShow(page, metrics);
    expect(metrics.reconstruction).toHaveLength(8);
    expect(metrics.alignment.every((a) => a.ceiling && a.floor && a.randomLora)).toBe(true);
    // The live run on this machine reproduces the shipped results (fixtures README §8 tolerances).
    expect(metricsDifferences(metrics, shipped), 'a changed pipeline needs a new shipped bundle: node tools/demo/make-bundle.mjs').toEqual([]);
  });
});
