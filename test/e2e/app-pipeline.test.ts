import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpz, readBundle, SafetensorsFile, type Bundle } from '../../src/formats/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { panelNumbers, screenshotPanels } from './app-panels.js';
import { doseDots, expectLatentsMatch, latentOrder, latentsShown, lensShown, type DoseShown } from './change-views.js';
import { clickLatencyMs, longestTaskSince, pageNow, recordLongTasks } from './responsiveness.js';
import { fixtureCorpus } from './corpus.js';
import { launchChromium, OUTPUT_DIR, serveApp, type ServedApp } from './serve-app.js';

/** A whole run on the fixture model (d = 64) with two fixture adapters and the fixture SAE as the layer-1 dictionary. */

let app: ServedApp;
let browser: Browser;
let page: Page;
let bundle: Bundle;
let bundlePath: string;
let shown: Record<string, number>;
let doseShown: DoseShown;

describe('a full run on the fixtures, export, clear, import (built app, real Chromium)', () => {
  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await recordLongTasks(page);
    await page.goto(app.url);
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('runs load → extract → train → evaluate to completion', async () => {
    const dir = path.join(tmpdir(), `deltascope-e2e-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const text = path.join(dir, 'sample.txt');
    writeFileSync(text, fixtureCorpus(6));
    // A Hub token typed into the setup must never reach the bundle.
    await page.getByRole('tab', { name: 'Hugging Face Hub' }).click();
    await page.getByLabel('Access token').fill('hf_E2E_SECRET_do_not_export');
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByTestId('pick-folder-model').setInputFiles(path.join(FIXTURES_DIR, 'model'));
    await page.getByTestId('pick-folder-tokenizer').setInputFiles(path.join(FIXTURES_DIR, 'tokenizer'));
    for (const a of ['r8', 'r16']) await page.getByTestId('pick-folder-adapters').setInputFiles(path.join(FIXTURES_DIR, 'adapters', a));
    await page.getByLabel('my own text').check();
    await page.getByTestId('pick-files-dataset').setInputFiles(text);
    await page.getByLabel('sequences').fill('24');
    await page.getByLabel('tokens per sequence').fill('32');
    await page.getByLabel('layers (resid_post)').fill('1, 2');
    await page.getByLabel('width (latents)').fill('128');
    await page.getByLabel('k', { exact: true }).fill('8');
    await page.getByLabel('steps').fill('24');
    await page.getByLabel('batch (tokens)').fill('64');
    await page.getByLabel('norm-matched random LoRA').check();
    await page.getByTestId('pick-files-sae-1').setInputFiles(path.join(FIXTURES_DIR, 'sae/params.npz'));
    await expect.poll(() => page.getByTestId('pretrained-1').textContent()).toMatch(/jumprelu · d_in 64 · width 256/);
    await expect.poll(() => page.getByTestId('start-run').isDisabled()).toBe(false);
    const runStart = await pageNow(page);
    await page.getByTestId('start-run').click();
    // The pipeline runs in a worker and the panels draw as deferred updates: while it extracts and trains, no
    // main-thread task reaches 100 ms and a click shows its effect within a frame or two.
    await page.locator('[data-stage="extract"][data-done="false"] .stage-text').filter({ hasNotText: 'waiting' }).waitFor({ timeout: 400_000 });
    const setupToggle = page.locator('details.setup > summary');
    const duringExtract = await clickLatencyMs(page, setupToggle, (el) => (el.parentElement as HTMLDetailsElement).open);
    const extractStillRunning = (await page.locator('[data-stage="extract"]').getAttribute('data-done')) === 'false';
    // Pause once training has started, then resume: extraction is found complete in the store and training goes on.
    await page.locator('[data-stage="train"] .stage-text').filter({ hasText: 'steps' }).waitFor({ timeout: 400_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-testid="run-panel"][data-status="paused"]').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-stage="train"][data-done="false"] .stage-text').filter({ hasText: 'steps' }).waitFor({ timeout: 400_000 });
    const duringTrain = await clickLatencyMs(page, setupToggle, (el) => (el.parentElement as HTMLDetailsElement).open);
    const trainStillRunning = (await page.locator('[data-stage="train"]').getAttribute('data-done')) === 'false';
    await page.locator('[data-testid="run-panel"][data-status="done"], [data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 540_000 });
    const log = await page.locator('.log').textContent();
    expect(await page.getByTestId('run-panel').getAttribute('data-status'), log ?? '').toBe('done');
    expect(log).toMatch(/run paused.*resumed.*extraction already complete/s);
    const longest = await longestTaskSince(page, runStart);
    console.log(
      `main thread during the run: longest task ${longest.maxMs.toFixed(0)} ms (${longest.count} tasks over 50 ms); click → frame ${duringExtract.toFixed(0)} ms during extraction` +
        ` (still extracting: ${extractStillRunning}), ${duringTrain.toFixed(0)} ms during training (still training: ${trainStillRunning})`,
    );
    expect(longest.maxMs).toBeLessThan(100);
    expect(duringExtract).toBeLessThan(200);
    expect(duringTrain).toBeLessThan(200);
    shown = await panelNumbers(page);
    expect(Object.keys(shown).length).toBeGreaterThan(8);
    doseShown = await doseDots(page);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-pipeline.png'), fullPage: true });
    await screenshotPanels(page, 'fixture');
  });

  it('exports a bundle whose numbers equal those in the panels', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-bundle').click();
    bundlePath = path.join(OUTPUT_DIR, 'fixture-run.zip');
    await (await download).saveAs(bundlePath);
    bundle = await readBundle(new Uint8Array(readFileSync(bundlePath)), 'fixture-run.zip');
    const m = bundle.metrics;
    expect(m.deltaNorms).toHaveLength(4);
    for (const d of m.deltaNorms) expect(shown[`delta-norms:${d.layer}/${d.adapter}`]).toBe(d.meanDeltaNorm);
    for (const r of m.reconstruction.filter((x) => x.layer === 1)) {
      expect(shown[`reconstruction-bars:${r.adapter}/delta`]).toBe(r.deltaSae.fvu);
      expect(shown[`reconstruction-bars:${r.adapter}/direct`]).toBe(r.pretrainedDirect!.fvu);
      expect(shown[`reconstruction-bars:${r.adapter}/diff`]).toBe(r.pretrainedDiff!.fvu);
    }
    for (const a of m.alignment) expect(shown[`alignment:${a.layer}/${a.adapter}`]).toBe(a.observed.meanMaxCos);
    expect(m.training.length).toBe(2 * 2 * 2 + 2);
    expect(bundle.saes.length).toBe(2 * 3);
    expect(bundle.manifest.stages).toEqual({ load: true, extract: true, train: true, evaluate: true });
    expect(Buffer.from(readFileSync(bundlePath)).includes('hf_E2E_SECRET')).toBe(false);
    expect(JSON.stringify(bundle)).not.toContain('hf_E2E_SECRET');
    expect(bundle.figures.get('delta-norms')).toContain('<svg');
    // the activation-difference lens of every (layer, real adapter), computed in the run and drawn live
    expect(m.lens.map((l) => `${l.layer}/${l.adapter}`).sort()).toEqual(m.deltaNorms.map((d) => `${d.layer}/${d.adapter}`).sort());
    for (const l of m.lens) {
      expect(l.promoted).toHaveLength(20);
      expect(l.positions.map((p) => p.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(bundle.figures.get(`lens-layer-${l.layer}-${l.adapter}`)).toContain(`data-id="${l.promoted[0].id}"`);
    }
    // dose-response of every (layer, real adapter); the panels draw exactly the bundle's numbers
    expect(m.dose.map((d) => `${d.layer}/${d.adapter}`).sort()).toEqual(m.deltaNorms.map((d) => `${d.layer}/${d.adapter}`).sort());
    for (const d of m.dose) {
      expect(d.alphas).toEqual([0, 0.25, 0.5, 1, 1.5, 2]);
      expect(d.meanDeltaNorm[0]).toBe(0);
      expect(d.meanDeltaNorm[5]).toBeGreaterThan(d.meanDeltaNorm[3]);
      expect(d.latents.length).toBeGreaterThan(0);
      expect(bundle.figures.get(`dose-latents-layer-${d.layer}-${d.adapter}`)).toContain(`data-series="latent-${d.latents[0].latent}"`);
    }
    const doseNorms: Record<string, number> = {};
    for (const d of m.dose.filter((x) => x.layer === doseShown.layer)) d.alphas.forEach((a, i) => (doseNorms[`${d.adapter}@${a}`] = d.meanDeltaNorm[i]));
    expect(doseShown.norms).toEqual(doseNorms);
    const doseLatents: Record<string, number> = {};
    const selected = m.dose.find((x) => x.layer === doseShown.layer && x.adapter === doseShown.adapter)!;
    for (const l of selected.latents) selected.alphas.forEach((a, i) => (doseLatents[`latent-${l.latent}@${a}`] = l.means[i]));
    expect(doseShown.latents).toEqual(doseLatents);
    // local writes (text tokens, like the delta norms) of every module the engine ran (layers 0..2), drawn live
    expect(m.localWrites).toHaveLength(2 * 3 * 7);
    expect(m.localWrites.map((w) => `${w.adapter}/${w.layer}`).filter((k, i, all) => all.indexOf(k) === i)).toEqual(['r8/0', 'r8/1', 'r8/2', 'r16/0', 'r16/1', 'r16/2']);
    for (const w of m.localWrites) expect([w.tokens, w.meanNorm > 0]).toEqual([m.deltaNorms[0].tokens, true]);
    const lwShown = Object.entries(shown).filter(([k]) => k.startsWith('local-writes:'));
    expect(lwShown).toHaveLength(3 * 7 + 2);
    for (const w of m.localWrites.filter((x) => x.adapter === 'r8')) expect(shown[`local-writes:${w.layer}/${w.module.replace('_proj', '')}`]).toBe(w.meanNorm);
    for (const d of m.deltaNorms.filter((x) => x.adapter === 'r8')) expect(shown[`local-writes:resid/${d.layer}`]).toBe(d.meanDeltaNorm);
    expect(bundle.figures.get('local-writes-r16')).toContain(`data-value="${m.localWrites.find((w) => w.adapter === 'r16')!.meanNorm}"`);
    // across adapters: both matrices per hooked layer, the dictionary one filled in by the evaluate stage
    expect(m.acrossAdapters.map((a) => [a.layer, a.labels])).toEqual([[1, ['r8', 'r16']], [2, ['r8', 'r16']]]);
    for (const a of m.acrossAdapters) {
      expect([a.directionCosine[0][0], a.directionCosine[1][1], a.crossSeed]).toEqual([1, 1, true]);
      // first-seed rows against second-seed columns: the diagonal is each adapter's seed-to-seed ceiling
      for (const [i, adapter] of a.labels.entries()) {
        const ceiling = m.alignment.find((x) => x.layer === a.layer && x.adapter === adapter)?.ceiling;
        if (ceiling) expect(a.dictionaryCosine![i][i]).toBeCloseTo(ceiling.meanMaxCos, 5);
      }
      expect(a.directionCosine[0][1]).toBe(a.directionCosine[1][0]);
      expect(bundle.figures.get(`across-adapters-layer-${a.layer}`)).toContain(`data-value="${a.dictionaryCosine![0][1]}"`);
    }
    const across = m.acrossAdapters[0];
    for (const [i, r] of across.labels.entries()) {
      for (const [j, c] of across.labels.entries()) {
        expect(shown[`across-adapters:direction:${r}/${c}`]).toBe(across.directionCosine[i][j]);
        expect(shown[`across-adapters:dictionary:${r}/${c}`]).toBe(across.dictionaryCosine![i][j]);
      }
    }
    const live = await lensShown(page);
    expect(live.ids).toEqual(m.lens.find((l) => l.layer === live.layer && l.adapter === live.adapter)!.promoted.map((t) => t.id));
    // delta-feature dashboards of every (layer, real adapter); layer 1 has the pretrained dictionary and both controls
    expect(m.latents.map((s) => `${s.layer}/${s.adapter}`).sort()).toEqual(m.deltaNorms.map((d) => `${d.layer}/${d.adapter}`).sort());
    for (const s of m.latents) {
      expect(s.width).toBe(128);
      expect(s.tokens).toBe(m.deltaNorms.find((d) => d.layer === s.layer && d.adapter === s.adapter)!.tokens);
      expect(s.dashboards).toHaveLength(48);
      expect(s.dashboards[0].contexts.length).toBeGreaterThan(0);
      expect(s.dashboards[0].promoted).toHaveLength(10);
      expect(s.dashboards[0].contexts[0].tokens).not.toBeNull();
      expect(s.thresholds === null).toBe(s.layer !== 1);
      expect(s.label.every((l) => (l === null) === (s.layer !== 1))).toBe(true);
      if (s.layer !== 1) expect([...s.cosine, ...s.nearest].every((v) => v === null)).toBe(true);
    }
    // nearest pretrained latent and its cosine against a float64 max-cosine of the bundle's decoder and the fixture's
    const pre = parseNpz(new Uint8Array(readFileSync(path.join(FIXTURES_DIR, 'sae/params.npz'))), 'params.npz').get('W_dec')!.data as Float32Array;
    for (const s of m.latents.filter((x) => x.layer === 1)) {
      const sae = bundle.saes.find((x) => x.layer === 1 && x.adapter === s.adapter)!;
      const dec = await (await SafetensorsFile.open(sae.weights, 'sae_weights.safetensors')).readF32('W_dec');
      for (let i = 0; i < s.width; i++) {
        const cos = Array.from({ length: 256 }, (_, j) => {
          let ab = 0, aa = 0, bb = 0;
          for (let k = 0; k < 64; k++) {
            ab += dec[i * 64 + k] * pre[j * 64 + k];
            aa += dec[i * 64 + k] ** 2;
            bb += pre[j * 64 + k] ** 2;
          }
          return ab / Math.sqrt(aa * bb);
        });
        const best = Math.max(...cos);
        expect(Math.abs(s.cosine[i]! - best)).toBeLessThanOrEqual(1e-5);
        const second = Math.max(...cos.filter((_, j) => j !== cos.indexOf(best)));
        if (best - second > 1e-5) expect(s.nearest[i]).toBe(cos.indexOf(best));
        const t = s.thresholds!;
        expect(s.label[i]).toBe(s.cosine[i]! < t.newBelow ? 'new' : s.cosine[i]! >= t.sharedAtLeast ? 'shared' : 'between');
      }
      const a = m.alignment.find((x) => x.layer === 1 && x.adapter === s.adapter)!;
      expect(s.thresholds).toEqual({ newBelow: a.randomLora!.interval?.[1] ?? a.randomLora!.meanMaxCos, sharedAtLeast: a.ceiling!.interval?.[0] ?? a.ceiling!.meanMaxCos });
    }
    const first = await latentsShown(page);
    expectLatentsMatch(first, m);
    expect(bundle.figures.get(`latent-layer-${first.layer}-${first.adapter}-${first.latent}`)).toContain(`data-latent="${first.latent}"`);
    // a click on an alignment cell lists that cell's latents; a click on a bin of its cosine histogram, those in the bin
    const other = m.alignment.find((a) => `${a.layer}/${a.adapter}` !== `${first.layer}/${first.adapter}`)!;
    await page.locator(`[data-panel="alignment"] [data-cell="${other.layer}/${other.adapter}"]`).click();
    await expect.poll(async () => { const l = await latentsShown(page); return [l.layer, l.adapter]; }).toEqual([other.layer, other.adapter]);
    const clicked = await latentsShown(page);
    expectLatentsMatch(clicked, m);
    const set = m.latents.find((s) => s.layer === other.layer && s.adapter === other.adapter)!;
    const bins = other.observed.histogram;
    const bin = bins.counts.findIndex((c) => c > 0);
    // dispatched: the controls' step lines are drawn over the bars
    await page.locator(`[data-panel="cosine-histogram"] [data-hist="observed"] rect[data-bin="${bin}"]`).dispatchEvent('click');
    await page.getByTestId('latent-range').waitFor();
    const inBin = await latentsShown(page);
    expect(inBin.list).toEqual(latentOrder(set, [bins.edges[bin], bins.edges[bin + 1]]));
    expect(inBin.list.length).toBe(bins.counts[bin]);
  });

  it('restores the same panels from the bundle after the store is cleared and the page reloaded', async () => {
    await page.getByTestId('clear-store').click();
    await expect.poll(() => page.getByTestId('view-message').textContent()).toMatch(/Cleared \d+ stored run/);
    await page.reload();
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-panel]').count()).toBe(0);
    await page.getByTestId('bundle-input').setInputFiles(bundlePath);
    await expect.poll(() => page.getByTestId('view-message').textContent()).toMatch(/Opened fixture-run.zip/);
    expect(await panelNumbers(page)).toEqual(shown);
    expect(await doseDots(page)).toEqual(doseShown);
    const restored = await lensShown(page);
    expect(restored.ids).toEqual(bundle.metrics.lens.find((l) => l.layer === restored.layer && l.adapter === restored.adapter)!.promoted.map((t) => t.id));
    expectLatentsMatch(await latentsShown(page), bundle.metrics);
    await screenshotPanels(page, 'restored');
  });
});
