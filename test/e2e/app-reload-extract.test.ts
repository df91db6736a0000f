import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { dropFiles } from './drop-files.js';
import { fixtureCorpus } from './corpus.js';
import { launchChromium, serveApp, type ServedApp } from './serve-app.js';
import { storeSnapshot, type StoreSnapshot } from './store-snapshot.js';

/**
 * A run from dropped folders, reloaded in the middle of its extraction, resumes from the last complete shard and
 * ends with the same store bytes as the same run left uninterrupted. Headless Chromium grants the File System
 * Access read permission without a prompt, so the permission prompt itself is not exercised.
 */

const SEQUENCES = 240;
const SEQ_LEN = 32;
// 64 KiB pieces of [sequences, 32, 64] f32: 8 sequences per shard, 30 shards
const SHARD_MIB = 1 / 16;

let app: ServedApp;
let browser: Browser;
let corpus: string;

type StoredManifest = { numSequences: number; shards: unknown[]; numShards: number; complete: boolean };

/** The run of the whole corpus (the store also holds the dose-response runs of a few held-out sequences). */
function mainRun(s: StoreSnapshot): StoredManifest | undefined {
  return Object.values(s.manifests)
    .map((m) => JSON.parse(m) as StoredManifest)
    .find((m) => m.numSequences === SEQUENCES);
}

/** Shards the page's store has committed for its only run (raw IndexedDB), and whether the run is complete. */
async function committedShards(p: Page): Promise<{ shards: number; numShards: number; complete: boolean }> {
  const s = await storeSnapshot(p);
  const run = mainRun(s);
  return run ? { shards: run.shards.length, numShards: run.numShards, complete: run.complete } : { shards: 0, numShards: 0, complete: false };
}

/** Waits until the extraction is complete and training runs, then pauses: the store then holds the whole extraction. */
async function pauseOnceTraining(p: Page): Promise<void> {
  const training = p.locator('[data-stage="train"] .stage-text').filter({ hasText: 'steps' });
  await training.or(p.locator('[data-testid="run-panel"]:is([data-status="failed"], [data-status="cancelled"], [data-status="done"]), .run-panel [role="alert"]')).first().waitFor({ timeout: 400_000 });
  expect(await training.count(), (await p.locator('.run-panel').textContent()) ?? '').toBe(1);
  await p.getByRole('button', { name: 'Pause' }).click();
  await p.locator('[data-testid="run-panel"][data-status="paused"]').waitFor({ timeout: 120_000 });
}

/**
 * A page of its own browser context (its own IndexedDB), set up by dropping the fixture model, tokenizer,
 * two adapters and the corpus, and started.
 */
async function startDroppedRun(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await page.goto(app.url);
  await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
  await dropFiles(page, 'drop-model', [path.join(FIXTURES_DIR, 'model')]);
  await expect.poll(() => page.locator('.status.ok').first().textContent(), { timeout: 60_000 }).toMatch(/Gemma-2 · 4 layers/);
  await page.locator('summary', { hasText: 'Tokenizer' }).click();
  await dropFiles(page, 'drop-tokenizer', [path.join(FIXTURES_DIR, 'tokenizer')]);
  for (const a of ['r8', 'r16']) {
    await dropFiles(page, 'drop-adapters', [path.join(FIXTURES_DIR, 'adapters', a)]);
    await expect.poll(() => page.getByTestId(`adapter-${a}`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
  }
  await page.getByLabel('my own text').check();
  await dropFiles(page, 'drop-dataset', [corpus]);
  await page.getByLabel('sequences').fill(String(SEQUENCES));
  await page.getByLabel('tokens per sequence').fill(String(SEQ_LEN));
  await page.getByLabel('layers (resid_post)').fill('1, 3');
  await page.getByLabel('store shard (MiB)').fill(String(SHARD_MIB));
  await page.getByLabel('width (latents)').fill('64');
  await page.getByLabel('k', { exact: true }).fill('4');
  await page.getByLabel('steps').fill('400');
  await page.getByLabel('batch (tokens)').fill('64');
  await expect.poll(() => page.getByTestId('start-run').isDisabled(), { timeout: 60_000 }).toBe(false);
  await page.getByTestId('start-run').click();
  return page;
}

describe('reloading the page in the middle of an extraction (built app, real Chromium, real IndexedDB)', () => {
  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    const dir = path.join(tmpdir(), `deltascope-reload-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    corpus = path.join(dir, 'corpus.txt');
    writeFileSync(corpus, fixtureCorpus(60));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('resumes from the last complete shard to the same store bytes as an uninterrupted run', { timeout: 1_200_000 }, async () => {
    // The uninterrupted run, in a browser context of its own: its store is the reference.
    const reference = await startDroppedRun();
    await pauseOnceTraining(reference);
    const uninterrupted: StoreSnapshot = await storeSnapshot(reference);
    await reference.context().close();
    expect(mainRun(uninterrupted)).toMatchObject({ numShards: SEQUENCES / 8, complete: true });

    // The same run in a fresh context, reloaded once a few shards are committed.
    const page = await startDroppedRun();
    await expect.poll(async () => (await committedShards(page)).shards, { timeout: 400_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    await page.reload();
    await page.getByTestId('gpu-info').filter({ hasText: 'GPU:' }).waitFor({ timeout: 60_000 });
    const atReload = await committedShards(page);
    console.log(`reloaded with ${atReload.shards} of ${atReload.numShards} shards committed`);
    expect(atReload.complete).toBe(false);
    await page.locator('[data-testid="run-panel"][data-status="paused"]').waitFor({ timeout: 60_000 });
    const missing = await page.getByTestId('inputs-missing').textContent();
    for (const input of ['the model folder', 'the tokenizer folder', 'the adapter folder "r8"', 'the adapter folder "r16"', 'the dataset file "corpus.txt"']) expect(missing).toContain(input);

    // Resume reopens every dropped folder and file from its remembered handle and extracts only the shards left.
    await page.getByRole('button', { name: 'Resume' }).click();
    await pauseOnceTraining(page);
    const log = (await page.locator('.log').textContent()) ?? '';
    const written = Number(/extracted (\d+) shards? into run/.exec(log)?.[1]);
    expect(written).toBe(atReload.numShards - atReload.shards);
    const resumed = await storeSnapshot(page);
    expect(resumed.manifests).toEqual(uninterrupted.manifests);
    expect(Object.keys(resumed.records).sort()).toEqual(Object.keys(uninterrupted.records).sort());
    expect(resumed.records).toEqual(uninterrupted.records);
  });
});
