import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ResultMetrics } from '../../src/formats/index.js';
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

type DrawnAt = { __panelsDrawnAt?: number; __appAt?: number };

/** Call before navigating: notes when the app mounts and when every panel is on the page with numbers in it. */
export async function watchPanelsDrawn(page: Page): Promise<void> {
  await page.addInitScript((names: string[]) => {
    const seen = () => {
      const w = window as DrawnAt;
      if (w.__appAt === undefined && document.querySelector('[data-testid="gpu-info"]')) w.__appAt = performance.now();
      const have = new Set([...document.querySelectorAll('[data-panel]')].map((e) => e.getAttribute('data-panel')));
      if (!names.every((n) => have.has(n)) || !document.querySelector('[data-panel="delta-norms"] [data-value]')) return;
      w.__panelsDrawnAt = performance.now();
      observer.disconnect();
    };
    const observer = new MutationObserver(seen);
    observer.observe(document, { childList: true, subtree: true });
  }, RESULT_PANELS);
}

/** ms after navigation started at which the app mounted and every panel was drawn (see watchPanelsDrawn). */
export async function panelsDrawnAt(page: Page): Promise<{ app: number; panels: number }> {
  await page.waitForFunction(() => (window as DrawnAt).__panelsDrawnAt !== undefined, undefined, { timeout: 60_000 });
  return page.evaluate(() => ({ app: (window as DrawnAt).__appAt ?? NaN, panels: (window as DrawnAt).__panelsDrawnAt! }));
}

/** Every number the panels show equals the bundle's: matrix cells, bars (first layer) and the L0 dots. */
export async function expectPanelsShow(page: Page, m: ResultMetrics): Promise<void> {
  const shown = await panelNumbers(page);
  for (const d of m.deltaNorms) expect(shown[`delta-norms:${d.layer}/${d.adapter}`]).toBe(d.meanDeltaNorm);
  for (const a of m.alignment) expect(shown[`alignment:${a.layer}/${a.adapter}`]).toBe(a.observed.meanMaxCos);
  const first = Math.min(...m.reconstruction.map((r) => r.layer));
  for (const r of m.reconstruction.filter((x) => x.layer === first)) expect(shown[`reconstruction-bars:${r.adapter}/delta`]).toBe(r.deltaSae.fvu);
  const dots = await panelDots(page, 'density-l0');
  const rank = (name: string) => m.adapters.find((a) => a.name === name)!.rank;
  expect(Object.keys(dots)).toHaveLength(m.reconstruction.length);
  for (const r of m.reconstruction) expect(dots[`layer-${r.layer}@${rank(r.adapter)}`]).toBe(r.deltaSae.meanL0);
}
