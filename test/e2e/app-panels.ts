import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { OUTPUT_DIR } from './serve-app.js';

/** Every number the panels expose (data-value of heatmap cells and bars), keyed by panel and mark. */
export async function panelNumbers(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const el of document.querySelectorAll('[data-panel] [data-value]')) {
      const panel = el.closest('[data-panel]')!.getAttribute('data-panel');
      const mark = el.getAttribute('data-cell') ?? el.getAttribute('data-bar') ?? '';
      const v = el.getAttribute('data-value');
      if (v !== null && v !== '') out[`${panel}:${mark}`] = Number(v);
    }
    return out;
  });
}

/** One screenshot per panel, into test-output/. */
export async function screenshotPanels(page: Page, prefix: string): Promise<string[]> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const names = await page.$$eval('[data-panel]', (els) => els.map((e) => e.getAttribute('data-panel') ?? ''));
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(OUTPUT_DIR, `${prefix}-${name}.png`);
    await page.locator(`[data-panel="${name}"]`).screenshot({ path: file });
    files.push(file);
  }
  return files;
}
