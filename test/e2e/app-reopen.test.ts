import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { dropFiles } from './drop-files.js';
import { launchChromium, serveApp, type ServedApp } from './serve-app.js';

/**
 * Folders dropped on the page are remembered as File System Access handles: after a reload, Resume reads
 * them again (headless Chromium grants the read permission without a prompt, so the prompt itself is not
 * exercised), and an input that was picked rather than dropped (no handle) is named to be dropped again.
 */

let app: ServedApp;
let browser: Browser;
let page: Page;

describe('resuming after a reload without dropping the folders again (built app, real Chromium)', () => {
  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(app.url);
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('reopens the dropped model, tokenizer and adapter folders after a reload, names the picked dataset, and completes the run', { timeout: 900_000 }, async () => {
    const dir = path.join(tmpdir(), `deltascope-reopen-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const text = path.join(dir, 'sample.txt');
    writeFileSync(text, 'In the beginning was the word, and the word was with the dictionary.\n\n'.repeat(200));

    await dropFiles(page, 'drop-model', [path.join(FIXTURES_DIR, 'model')]);
    await expect.poll(() => page.locator('.status.ok').first().textContent(), { timeout: 60_000 }).toMatch(/Gemma-2 · 4 layers/);
    await page.locator('summary', { hasText: 'Tokenizer' }).click();
    await dropFiles(page, 'drop-tokenizer', [path.join(FIXTURES_DIR, 'tokenizer')]);
    await dropFiles(page, 'drop-adapters', [path.join(FIXTURES_DIR, 'adapters', 'r8')]);
    await expect.poll(() => page.getByTestId('adapter-r8').getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
    await page.getByLabel('my own text').check();
    await page.getByTestId('pick-files-dataset').setInputFiles(text);
    await page.getByLabel('sequences').fill('8');
    await page.getByLabel('tokens per sequence').fill('32');
    await page.getByLabel('layers (resid_post)').fill('1');
    await page.getByLabel('width (latents)').fill('128');
    await page.getByLabel('k', { exact: true }).fill('8');
    // enough steps that the run is still training when the page reloads
    await page.getByLabel('steps').fill('600');
    await page.getByLabel('batch (tokens)').fill('64');
    await expect.poll(() => page.getByTestId('start-run').isDisabled()).toBe(false);
    await page.getByTestId('start-run').click();

    // Reload once the deltas are stored and training runs: the page keeps nothing of the dropped files.
    await page.locator('[data-stage="train"] .stage-text').filter({ hasText: 'steps' }).waitFor({ timeout: 400_000 });
    await page.waitForTimeout(1500); // the session record is saved a second after it changes
    expect(await page.getByTestId('run-panel').getAttribute('data-status')).toBe('running');
    await page.reload();
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="run-panel"][data-status="paused"]').waitFor({ timeout: 60_000 });
    const missing = await page.getByTestId('inputs-missing').textContent();
    expect(missing).toMatch(/the model folder/);
    expect(missing).toMatch(/the tokenizer folder "tokenizer"/);
    expect(missing).toMatch(/the adapter folder "r8"/);
    expect(missing).toMatch(/the dataset file "sample.txt"/);

    // Resume reopens what was dropped; the dataset was picked (no handle), so the page asks for it by name.
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('.run-panel [role="alert"]').textContent(), { timeout: 60_000 }).toBe(
      'This browser could not reopen the dataset file "sample.txt": drop it again in the setup, then resume.',
    );
    expect(await page.getByTestId('inputs-missing').textContent()).not.toMatch(/model folder|tokenizer folder|adapter folder/);
    await page.locator('details.setup > summary').click();
    await dropFiles(page, 'drop-dataset', [text]);
    await expect.poll(() => page.getByTestId('inputs-missing').count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="run-panel"][data-status="done"], [data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 400_000 });
    const log = await page.locator('.log').textContent();
    expect(await page.getByTestId('run-panel').getAttribute('data-status'), log ?? '').toBe('done');
    expect(log).toMatch(/resumed.*extraction already complete/s);
  });
});
