import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { OUTPUT_DIR } from './serve-app.js';

/** Every number the panels expose (data-value of heatmap cells and bars), keyed by panel and mark. */
export async function panelNumbers(page: Page): Promise<Record<string, number>> {
  await panelsDrawn(page);
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const el of document.querySelectorAll('[data-panel] [data-value]')) {
      const panel = el.closest('[data-panel]')!.getAttribute('data-panel');
      // a panel drawing several matrices names each (data-matrix), so their cells stay apart
      const matrix = el.closest('[data-matrix]')?.getAttribute('data-matrix');
      const mark = `${matrix ? `${matrix}:` : ''}${el.getAttribute('data-cell') ?? el.getAttribute('data-bar') ?? ''}`;
      const v = el.getAttribute('data-value');
      if (v !== null && v !== '') out[`${panel}:${mark}`] = Number(v);
    }
    return out;
  });
}

/** Waits until the panels show the latest results (they render as a deferred update after the state changes). */
export async function panelsDrawn(page: Page): Promise<void> {
  await page.locator('[data-testid="results"][data-pending="false"]').waitFor({ timeout: 60_000 });
}

/** One screenshot per panel, into test-output/. */
export async function screenshotPanels(page: Page, prefix: string): Promise<string[]> {
  await panelsDrawn(page);
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

/** Every panel a finished run draws (data-panel names). */
export const RESULT_PANELS = ['delta-norms', 'weight-space', 'reconstruction-curves', 'reconstruction-bars', 'alignment', 'cosine-histogram', 'density-l0', 'density-histogram', 'principal-angles', 'cka'];

/** The dots of a line panel, keyed `series@x` (data-series, data-x), valued by data-y. */
export async function panelDots(page: Page, panel: string): Promise<Record<string, number>> {
  await panelsDrawn(page);
  return page.evaluate((name) => {
    const out: Record<string, number> = {};
    for (const el of document.querySelectorAll(`[data-panel="${name}"] [data-series] circle[data-x]`)) {
      out[`${el.closest('[data-series]')!.getAttribute('data-series')}@${el.getAttribute('data-x')}`] = Number(el.getAttribute('data-y'));
    }
    return out;
  }, panel);
}
