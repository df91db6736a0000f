import { cdp } from 'vitest/browser';
import { afterAll, describe, expect, it } from 'vitest';
import { QuotaError } from '../../src/errors/index.js';
import { datasetFromTokenIds } from '../../src/lab/dataset-pack.js';
import { extractDeltas } from '../../src/lab/extraction/index.js';
import { ActivationStore, BASE_STREAM, storageEstimate } from '../../src/store/index.js';
import { expectStoredEqualsForward, extractionInput, sharedEngine } from '../helpers/extraction.js';
import { fixtureIds } from '../helpers/model.js';

interface Cdp {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
}

/** Chrome DevTools Protocol: this origin's storage quota, set for real (no fake storage). */
async function overrideQuota(bytes: number | null): Promise<void> {
  const session = cdp() as unknown as Cdp;
  await session.send('Storage.overrideQuotaForOrigin', bytes === null ? { origin: location.origin } : { origin: location.origin, quotaSize: bytes });
}

async function usage(): Promise<number> {
  return (await storageEstimate())?.usage ?? 0;
}

describe('activation store under a real storage quota (CDP Storage.overrideQuotaForOrigin)', () => {
  afterAll(() => overrideQuota(null));

  it('refuses to start a run that cannot fit, saying how much space it needs', async () => {
    const store = ActivationStore.open('store-quota-small');
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    // Opened (and emptied) first, so the databases exist before usage is measured.
    for (const r of await store.listRuns()) await store.deleteRun(r.runId);
    // Room for the run's manifest and token ids (so creating it never meets the quota), not for its 4 shards
    // (4 × 216 KiB); the up-front check sees this quota only because Chromium runs without its static quota
    // (cli/chromium.mjs), which otherwise reports a fixed 10 GiB to estimate() whatever the real quota is.
    const quota = (await usage()) + 400 * 1024;
    await overrideQuota(quota);
    expect((await storageEstimate())?.quota).toBe(quota);
    const err = await extractDeltas(extractionInput(ds, 'f32', true, 1, 1), { store, openEngine: sharedEngine }).catch((e: unknown) => e);
    await overrideQuota(null);
    expect(err).toBeInstanceOf(QuotaError);
    expect((err as QuotaError).neededBytes).toBeGreaterThan(0);
    // The up-front refusal, not a failed write: nothing was stored.
    expect((err as QuotaError).message).toMatch(/^Not enough storage: run \S+ needs about [\d.]+ MiB, and [\d.]+ MiB is free/);
    for (const r of await store.listRuns()) {
      expect(r.shards).toEqual([]);
      await store.deleteRun(r.runId);
    }
  });

  it('a quota exhausted mid-run stops it with a QuotaError, the store stays consistent, and it resumes once space is allowed', async () => {
    const store = ActivationStore.open('store-quota-mid');
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    const input = extractionInput(ds, 'f32', true, 1, 1);
    let squeezed = false;
    const err = await extractDeltas(input, {
      store,
      openEngine: sharedEngine,
      // After the first shard the disk "fills up": only 32 KiB stay free, less than a shard (216 KiB).
      // Chromium's IndexedDB keeps a space allowance from its last quota query for 30 s, so wait it out
      // (no writes meanwhile) before squeezing: the next shard's writes then meet the new quota.
      onShard: async (m) => {
        if (m.shards.length === 1 && !squeezed) {
          squeezed = true;
          await new Promise((r) => setTimeout(r, 31_000));
          await overrideQuota((await usage()) + 32 * 1024);
        }
      },
    }).catch((e: unknown) => e);
    expect(squeezed).toBe(true);
    expect(err).toBeInstanceOf(QuotaError);
    const q = err as QuotaError;
    expect(q.code).toBe('storage-quota');
    const runs = await store.listRuns();
    expect(runs).toHaveLength(1);
    const m = runs[0];
    const k = m.shards.length;
    expect(k).toBeLessThan(4);
    expect(q.message).toMatch(new RegExp(`^Storage is full: run ${m.runId} needs about [\\d.]+ MiB more to finish \\(${k} of 4 shards are stored`));
    expect(q.neededBytes).toBe((4 - k) * 24 * 64 * 4 * 9 * 4); // shards left × 9 streams × 4 layers
    // every listed shard is whole; nothing of the failed shard is left behind
    for (let i = 0; i < k; i++) for (const l of m.layers) await store.readPiece(m.runId, l, BASE_STREAM, i);
    for (const l of m.layers) await expect(store.readPiece(m.runId, l, 'r4', k)).rejects.toThrow(/missing/);

    await overrideQuota(null);
    const done = await extractDeltas(input, { store, openEngine: sharedEngine });
    expect([done.runId, done.shardsWritten, done.manifest.complete]).toEqual([m.runId, 4 - k, true]);
    await expectStoredEqualsForward(store, done.manifest, ds, 1);
    await store.deleteRun(m.runId);
  });
});
