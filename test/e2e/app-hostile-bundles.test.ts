import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../cli/chromium.mjs';
import { type AdversarialCase, generateCases } from '../../tools/adversarial/generate.js';
import { serveApp, type ServedApp } from './serve-app.js';

/** The adversarial suite's hostile bundles, dropped into the built app: one clear message each, nothing rendered from them. */

let app: ServedApp;
let browser: Browser;
let page: Page;
let dir = '';
let bundles: AdversarialCase[] = [];

describe('hostile bundles in the app (built app, real Chromium, no WebGPU needed)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'deltascope-hostile-bundles-'));
    bundles = (await generateCases(dir)).filter((c) => c.format === 'bundle');
    app = await serveApp();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses each with one line naming the file; no panel appears', async () => {
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    const panelsBefore = await page.locator('[data-panel]').count();
    for (const c of bundles) {
      const t0 = performance.now();
      await page.getByTestId('bundle-input').setInputFiles(c.given);
      await expect.poll(() => page.getByTestId('view-message').textContent(), { timeout: 60_000 }).not.toMatch(/^Opening/);
      const text = (await page.getByTestId('view-message').textContent()) ?? '';
      console.log(`${c.name}: ${(performance.now() - t0).toFixed(0)} ms — ${text.slice(0, 160)}`);
      expect(text.startsWith(`${path.basename(c.given)}: `), `${c.name}: ${text}`).toBe(true);
      expect(text).not.toMatch(/\n|^Opened/);
      expect(await page.getByTestId('view-message').getAttribute('class')).toMatch(/error/);
      expect(await page.locator('[data-panel]').count(), c.name).toBe(panelsBefore);
    }
  }, 600_000);
});
