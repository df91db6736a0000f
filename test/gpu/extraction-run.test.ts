import { describe, expect, it } from 'vitest';
import { acquireGpu, type Gpu } from '../../src/gpu/index.js';
import { datasetFromTokenIds } from '../../src/lab/dataset-pack.js';
import { extractDeltas, type OpenedEngine } from '../../src/lab/extraction/index.js';
import { GemmaEngine } from '../../src/model/index.js';
import { ActivationStore, summarizeMoments } from '../../src/store/index.js';
import { expectRel } from '../helpers/assert.js';
import { expectStoredEqualsForward, extractionInput, firstBitMismatch, fixtureEngine, LAYERS, NAMES, sharedEngine } from '../helpers/extraction.js';
import { fixtureF32, fixtureIds, maxAbs, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

describe('extraction run: fixture model + r4, r8, r16, r32 into real IndexedDB', () => {
  it('stores the reference batch bit for bit as the engine computes it, within 1e-4 of the fixture deltas, with the fixture heatmap as statistics', async () => {
    const store = ActivationStore.open('extraction-run-test');
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    const progress: number[] = [];
    const r = await extractDeltas(extractionInput(ds, 'f32', true, 2, 2), { store, openEngine: sharedEngine, onProgress: (p) => progress.push(p.done) });
    expect([r.shardsWritten, r.manifest.numShards, r.manifest.complete]).toEqual([2, 2, true]);
    expect(progress[progress.length - 1]).toBe(batch * seq);
    await expectStoredEqualsForward(store, r.manifest, ds, 2);
    const heatmap = (await fixtureF32('reference/delta_norm_heatmap.npy')).data;
    for (const [k, name] of NAMES.entries()) {
      const refDelta = await fixtureF32(`reference/adapters/${name}/delta.npy`);
      const refPost = await fixtureF32(`reference/adapters/${name}/resid_post.npy`);
      for (const l of LAYERS) {
        const got = await store.readTensor(r.manifest.runId, l, name);
        expectRel(got, slab(refDelta.data, l, 4), TOL.delta, `${name} delta[${l}]`, maxAbs(slab(refPost.data, l, 4)));
        const meanNorm = summarizeMoments(r.manifest.stats[String(l)].delta[name]).meanNormWithBos;
        expectRel([meanNorm], [heatmap[k * 4 + l]], TOL.heatmap, `${name} mean ‖delta‖ at layer ${l}`);
      }
    }
    let opened = 0;
    const again = await extractDeltas(extractionInput(ds, 'f32', true, 2, 2), { store, openEngine: async () => (opened++, sharedEngine()) });
    expect([again.shardsWritten, opened, again.runId]).toEqual([0, 0, r.runId]);
    await store.deleteRun(r.runId);
  });

  it('a device destroyed mid-run (mid-shard and between shards) is reopened and the finished store equals an uninterrupted run', async () => {
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    const plain = ActivationStore.open('extraction-run-plain');
    const ref = await extractDeltas(extractionInput(ds, 'f32', false, 1, 2), { store: plain, openEngine: sharedEngine });

    const lossy = ActivationStore.open('extraction-run-lossy');
    let forwards = 0;
    let opens = 0;
    const gpus: Gpu[] = [];
    const { model, adapters } = await fixtureEngine();
    const openFresh = async (): Promise<OpenedEngine> => {
      opens++;
      const gpu = await acquireGpu();
      gpus.push(gpu);
      const e = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers: LAYERS });
      return {
        gpu,
        engine: {
          adapterNames: e.adapterNames,
          // the 2nd forward pass (inside shard 0) loses its device before it runs
          forward: (x, b, s) => {
            if (++forwards === 2) gpu.device.destroy();
            return e.forward(x, b, s);
          },
          dispose: () => e.dispose(),
        },
      };
    };
    const r = await extractDeltas(extractionInput(ds, 'f32', false, 1, 2), {
      store: lossy,
      openEngine: openFresh,
      // and the device is destroyed again right after shard 0 is committed
      onShard: (m) => {
        if (m.shards.length === 1) gpus[gpus.length - 1].device.destroy();
      },
    });
    expect([r.deviceLosses, opens, r.manifest.complete]).toEqual([2, 3, true]);
    expect(r.runId).toBe(ref.runId);
    for (const l of LAYERS) for (const n of NAMES) expect(firstBitMismatch(await lossy.readTensor(r.runId, l, n), await plain.readTensor(ref.runId, l, n))).toBe(-1);
    expect(r.manifest.stats).toEqual(ref.manifest.stats);
    await plain.deleteRun(ref.runId);
    await lossy.deleteRun(r.runId);
  });
});
