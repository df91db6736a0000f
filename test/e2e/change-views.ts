import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LatentSet, ResultMetrics } from '../../src/formats/index.js';
import { panelDots, panelNumbers, panelsDrawn } from './app-panels.js';

/** Readers of the "what did the fine-tune change" panels (issue 14) and a check that they show a bundle's numbers. */

export type DoseShown = { layer: number; adapter: string; norms: Record<string, number>; latents: Record<string, number> };

/** The lens panel's selection and the ids of its promoted bars, in order. */
export async function lensShown(p: Page): Promise<{ layer: number; adapter: string; ids: number[] }> {
  const select = p.locator('[data-panel="lens"] select');
  const ids = await p.locator('[data-panel="lens"] [data-side="promoted"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
  return { layer: Number(await select.nth(0).inputValue()), adapter: await select.nth(1).inputValue(), ids };
}

/** The dose-response panels' selection and their dots (norms keyed `adapter@α`, latents `latent-<j>@α`). */
export async function doseDots(p: Page): Promise<DoseShown> {
  const select = p.locator('[data-panel="dose-latents"] select');
  return {
    layer: Number(await p.locator('[data-panel="dose-norms"] select').inputValue()),
    adapter: await select.nth(1).inputValue(),
    norms: await panelDots(p, 'dose-norms'),
    latents: await panelDots(p, 'dose-latents'),
  };
}

/** What the delta-feature panel shows: its (layer, adapter), the list's latent ids in order, and the open dashboard. */
export async function latentsShown(p: Page): Promise<{ layer: number; adapter: string; list: number[]; latent: number; contexts: { sequence: number; position: number }[] }> {
  const panel = p.locator('[data-panel="latents"]');
  const select = panel.locator('select');
  const list = await panel.locator('tr[data-latent]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-latent'))));
  const latent = Number(await panel.locator('svg g[data-latent]').getAttribute('data-latent'));
  const contexts = await panel.locator('[data-context-rank]').evaluateAll((els) => els.map((e) => ({ sequence: Number(e.getAttribute('data-sequence')), position: Number(e.getAttribute('data-position')) })));
  return { layer: Number(await select.nth(0).inputValue()), adapter: await select.nth(1).inputValue(), list, latent, contexts };
}

/** The bundle's latents of one (layer, adapter) as the panel lists them: by variance share, ties by index. */
export function latentOrder(set: LatentSet, cosine?: [number, number]): number[] {
  return Array.from(set.varianceShare.keys())
    .filter((i) => !cosine || (set.cosine[i] !== null && set.cosine[i]! >= cosine[0] && set.cosine[i]! < cosine[1]))
    .sort((a, b) => set.varianceShare[b] - set.varianceShare[a] || a - b)
    .slice(0, 200);
}

/** The panel shows the bundle's latents of its (layer, adapter) and the first one's top contexts. */
export function expectLatentsMatch(live: Awaited<ReturnType<typeof latentsShown>>, m: ResultMetrics): void {
  const set = m.latents.find((s) => s.layer === live.layer && s.adapter === live.adapter)!;
  expect(live.list).toEqual(latentOrder(set));
  expect(live.latent).toBe(set.dashboards[0].index);
  expect(live.contexts).toEqual(set.dashboards[0].contexts.map((c) => ({ sequence: c.sequence, position: c.position })));
}


/**
 * The lens, dose-response, local-writes, across-adapters and delta-feature panels show exactly the numbers of
 * `m` for whatever each has selected.
 */
export async function expectChangeViewsShow(page: Page, m: ResultMetrics): Promise<void> {
  await panelsDrawn(page);
  const lens = await lensShown(page);
  expect(lens.ids).toEqual(m.lens.find((l) => l.layer === lens.layer && l.adapter === lens.adapter)!.promoted.map((t) => t.id));
  const dose = await doseDots(page);
  const norms: Record<string, number> = {};
  for (const d of m.dose.filter((x) => x.layer === dose.layer)) d.alphas.forEach((a, i) => (norms[`${d.adapter}@${a}`] = d.meanDeltaNorm[i]));
  expect(dose.norms).toEqual(norms);
  const selected = m.dose.find((x) => x.layer === dose.layer && x.adapter === dose.adapter)!;
  const latents: Record<string, number> = {};
  for (const l of selected.latents) selected.alphas.forEach((a, i) => (latents[`latent-${l.latent}@${a}`] = l.means[i]));
  expect(dose.latents).toEqual(latents);
  const shown = await panelNumbers(page);
  const writer = await page.locator('[data-panel="local-writes"] select').inputValue();
  const writes = m.localWrites.filter((w) => w.adapter === writer);
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) expect(shown[`local-writes:${w.layer}/${w.module.replace('_proj', '')}`]).toBe(w.meanNorm);
  for (const d of m.deltaNorms.filter((x) => x.adapter === writer)) expect(shown[`local-writes:resid/${d.layer}`]).toBe(d.meanDeltaNorm);
  const acrossLayer = Number(await page.locator('[data-panel="across-adapters"] select').inputValue());
  const across = m.acrossAdapters.find((a) => a.layer === acrossLayer)!;
  for (const [i, r] of across.labels.entries()) {
    for (const [j, c] of across.labels.entries()) {
      expect(shown[`across-adapters:direction:${r}/${c}`]).toBe(across.directionCosine[i][j]);
      expect(shown[`across-adapters:dictionary:${r}/${c}`]).toBe(across.dictionaryCosine![i][j]);
    }
  }
  expectLatentsMatch(await latentsShown(page), m);
}
