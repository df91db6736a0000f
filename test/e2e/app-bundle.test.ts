import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../src/formats/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../cli/chromium.mjs';
import { fixtureBytes } from '../helpers/fixtures.js';
import { fixtureMetrics } from '../unit/bundle-sample.js';
import { panelNumbers, screenshotPanels } from './app-panels.js';
import { OUTPUT_DIR, serveApp, type ServedApp } from './serve-app.js';

/** Opening bundles needs no GPU: Chromium here runs without WebGPU. */

let app: ServedApp;
let browser: Browser;
let page: Page;
const dir = path.join(OUTPUT_DIR, 'bundles');

async function open(file: string): Promise<string> {
  await page.getByTestId('bundle-input').setInputFiles(file);
  await expect.poll(() => page.getByTestId('view-message').textContent()).not.toMatch(/^Opening/);
  return (await page.getByTestId('view-message').textContent()) ?? '';
}

describe('result bundles in the app, without WebGPU (built app, real Chromium)', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    app = await serveApp();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(app.url);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('says WebGPU is missing and still offers to open a bundle', async () => {
    await expect.poll(() => page.getByTestId('no-webgpu').textContent()).toMatch(/WebGPU is not available.*open a result bundle/);
    expect(await page.getByTestId('open-bundle').isEnabled()).toBe(true);
  });

  it('restores every panel from a bundle, numbers unchanged', async () => {
    const metrics = await fixtureMetrics();
    const file = path.join(dir, 'fixture-metrics.zip');
    const manifest = {
      app: { name: 'deltascope' as const, version: '0.1.0', commit: 'test' },
      createdAt: '2026-11-25T00:00:00.000Z',
      config: { note: '<img src=x onerror="window.__pwned=1">' },
      seeds: { run: 0 },
      inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] },
      stages: { load: true, extract: true, train: true, evaluate: true },
    };
    writeFileSync(file, await writeBundle({ manifest, metrics, saes: [], figures: {} }));
    expect(await open(file)).toMatch(/Opened fixture-metrics.zip/);
    const shown = await panelNumbers(page);
    for (const d of metrics.deltaNorms) expect(shown[`delta-norms:${d.layer}/${d.adapter}`]).toBe(d.meanDeltaNorm);
    expect(shown['reconstruction-bars:r16/delta']).toBe(metrics.reconstruction[0].deltaSae.fvu);
    // Text from a bundle is rendered as text, never as markup.
    await page.getByTestId('manifest').locator('summary').click();
    expect(await page.getByTestId('manifest').textContent()).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // A click on an alignment cell opens its cosine histogram against the controls.
    await page.locator('[data-panel="alignment"] [data-cell="1/r16"] rect').click();
    await expect.poll(() => page.locator('[data-panel="cosine-histogram"] [data-hist]').count()).toBe(2);
    expect(await page.locator('[data-panel="cosine-histogram"] .panel-caption').textContent()).toContain('Layer 1, r16 — mean best cosine: observed 0.543266');
    await screenshotPanels(page, 'bundle');
  });

  it('refuses a foreign zip, a corrupt zip and a zip with ../ entries, each with a clear message', async () => {
    const foreign = path.join(dir, 'foreign.zip');
    writeFileSync(foreign, new Uint8Array(await fixtureBytes('sae/params.npz')));
    expect(await open(foreign)).toBe('foreign.zip: not a deltascope bundle: the zip has no manifest.json at its root');
    const corrupt = path.join(dir, 'corrupt.zip');
    writeFileSync(corrupt, strToU8('PK this is not really a zip file'));
    expect(await open(corrupt)).toMatch(/^corrupt.zip: not a valid zip file/);
    const traversal = path.join(dir, 'traversal.zip');
    writeFileSync(traversal, zipSync({ 'manifest.json': strToU8('{}'), '../../evil.txt': strToU8('x') }));
    expect(await open(traversal)).toMatch(/^traversal.zip: refused: entry name "..\/..\/evil.txt" climbs out of the bundle/);
    // The restored panels stay as they were.
    expect(await page.locator('[data-panel="delta-norms"]').count()).toBe(1);
  });
});
