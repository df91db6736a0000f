import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { launchChromium, OUTPUT_DIR, serveApp, type ServedApp } from './serve-app.js';

const ADAPTERS = path.join(FIXTURES_DIR, 'adapters');
const GOOD = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];
const BAD = (JSON.parse(readFileSync(path.join(ADAPTERS, 'bad/cases.json'), 'utf8')) as { cases: { name: string }[] }).cases.map((c) => c.name);

/** A real drag and drop of local files onto an element, through CDP (the browser builds the DataTransfer). */
async function dropFiles(p: Page, selector: string, files: string[]): Promise<void> {
  const box = await p.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const cdp = await p.context().newCDPSession(p);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}

// Both ways users start the app: `vite preview` of the build and the `vite` dev server of `npm run demo`.
describe.each(['preview', 'dev'] as const)('setup page (vite %s, real Chromium)', (kind) => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await serveApp(kind);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    // The dev server compiles modules on first request: its first load is slow on a busy 2-core machine.
    await page.goto(app.url, { timeout: 300_000 });
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 120_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('reads a dropped model folder and shows what it is', async () => {
    await page.getByTestId('pick-folder-model').setInputFiles(path.join(FIXTURES_DIR, 'model'));
    await expect.poll(() => page.getByTestId('model-status').textContent()).toMatch(/Gemma-2 · 4 layers · hidden 64 · 4 heads \(2 kv\) · vocab 512/);
  });

  it('shows the parsed summary of each fixture adapter dropped as folders', async () => {
    for (const name of GOOD.slice(1)) await page.getByTestId('pick-folder-adapters').setInputFiles(path.join(ADAPTERS, name));
    // r4 arrives by a real drag and drop of its folder; a second copy as its two loose files.
    await dropFiles(page, '[data-testid="drop-adapters"]', [path.join(ADAPTERS, 'r4')]);
    await dropFiles(page, '[data-testid="drop-adapters"]', [path.join(ADAPTERS, 'r4/adapter_config.json'), path.join(ADAPTERS, 'r4/adapter_model.safetensors')]);
    await expect.poll(() => page.getByTestId('adapter-adapter-6').getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
    expect(await page.getByTestId('adapter-adapter-6').textContent()).toContain('rank 4 · α 8');
    for (const name of GOOD) {
      const resolved = JSON.parse(readFileSync(path.join(ADAPTERS, name, 'resolved_modules.json'), 'utf8')) as { module: string; r: number; lora_alpha: number }[] | { modules: { module: string }[] };
      const modules = Array.isArray(resolved) ? resolved : resolved.modules;
      const cfg = JSON.parse(readFileSync(path.join(ADAPTERS, name, 'adapter_config.json'), 'utf8')) as { r: number; lora_alpha: number };
      const row = page.getByTestId(`adapter-${name}`);
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
      const text = (await row.textContent()) ?? '';
      expect(text).toContain(`rank ${cfg.r}`);
      expect(text).toContain(`α ${cfg.lora_alpha}`);
      expect(text).toContain(`${modules.length} modules`);
    }
    expect(await page.getByTestId('adapter-r8-patterns').textContent()).toMatch(/rsLoRA.*layers 0, 2/);
  });

  it('shows each bad fixture adapter with its error inline, naming the file', async () => {
    for (const name of BAD) await page.getByTestId('pick-folder-adapters').setInputFiles(path.join(ADAPTERS, 'bad', name));
    for (const name of BAD) {
      const row = page.getByTestId(`adapter-${name}`);
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('error');
      const error = (await row.locator('[role="alert"]').textContent()) ?? '';
      expect(error, name).toMatch(new RegExp(`^${name}/adapter_(config\\.json|model\\.safetensors): `));
    }
    expect(await page.getByTestId('adapter-layer-out-of-range').textContent()).toMatch(/4/);
    expect(await page.getByTestId('adapter-unknown-module').textContent()).toMatch(/foo_proj/);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-setup.png'), fullPage: true });
    expect(readdirSync(OUTPUT_DIR)).toContain('app-setup.png');
  });

  it('keeps Start disabled while an adapter has an error, and lists config problems', async () => {
    expect(await page.getByTestId('start-run').isDisabled()).toBe(true);
    await page.getByLabel('layers (resid_post)').fill('9');
    await expect.poll(() => page.getByTestId('config-problems').textContent()).toBeTruthy();
    await page.getByLabel('layers (resid_post)').fill('0, 2');
    for (const name of BAD) await page.getByRole('button', { name: `remove ${name}` }).click();
    await page.getByRole('button', { name: 'remove adapter-6' }).click();
    await expect.poll(() => page.getByTestId('memory-estimate').textContent()).toMatch(/5 adapter streams/);
    expect(await page.getByTestId('start-run').isDisabled()).toBe(false);
  });
});
