import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/progress/index.js';
import { ActivationStore, batchMoments, TOKEN_KIND, type ShardPiece, type ShardStats, type StoredDataset } from '../../src/store/index.js';
import { LATENT_DASHBOARDS, LOGIT_EFFECT_TOP, runLatentDashboards } from '../../src/lab/latent-dashboards.js';
import { testGpu } from '../helpers/gpu.js';
import { expectLensMatches } from '../helpers/lens-check.js';
import { fixtureModel } from '../helpers/model.js';
import { referenceLens } from '../ref/analysis-lens.js';
import { referenceHistogram, referenceLatents } from '../ref/analysis-latents.js';
import { fixtureGemmaScopeSae, fixtureNpy } from '../ref/analysis-load.js';

const BOS = 2;
const TOL = 1e-5;

/**
 * The lab's path end to end below the worker: fixture r16 layer-1 deltas written to a real IndexedDB store in
 * shards of three and one sequences, dashboards of the fixture SAE read back from it, against the brute-force
 * float64 reference (contexts with their token ids and strings, statistics, histograms) and the float64 lens
 * of each dashboard latent's decoder row through the fixture model's final norm and embedding.
 */
describe('delta-feature dashboards of a stored run (real IndexedDB, fixture model and SAE)', () => {
  it('match the brute-force reference, with window ids and strings from the run dataset and logit effects from W_E', async () => {
    const gpu = await testGpu();
    const sae = await fixtureGemmaScopeSae();
    const model = await fixtureModel();
    const ids = await fixtureNpy('reference/input_ids.npy');
    const [seqs, seqLen] = ids.shape;
    const h = sae.dIn;
    const x = ((await fixtureNpy('reference/adapters/r16/delta.npy')).data as Float32Array).slice(seqs * seqLen * h, 2 * seqs * seqLen * h);
    const dataset: StoredDataset = { ids: Int32Array.from(ids.data), kinds: Uint8Array.from(ids.data, (id) => (id === BOS ? TOKEN_KIND.bos : TOKEN_KIND.text)), heldOut: Uint32Array.from([3]) };
    const store = ActivationStore.open('latent-dashboards-test');
    const m = await store.createRun(
      {
        label: 'dashboards',
        modelSha256: 'm'.repeat(64),
        adapters: [{ name: 'r16', sha256: 'r'.repeat(64) }],
        tokenizer: null,
        datasetSha256: 'fixture-r16-layer-1',
        layers: [1],
        modelDtype: 'f32',
        dtype: 'f32',
        seqLen,
        saveBase: false,
        hidden: h,
        numSequences: seqs,
        textTokens: seqs * (seqLen - 1),
        heldOutFraction: 0.25,
        splitSeed: 1,
        shardBytes: 3 * seqLen * h * 4,
      },
      dataset,
    );
    for (let i = m.shards.length; i < m.numShards; i++) {
      const [a, b] = store.shardRange(m, i);
      const data = x.subarray(a * seqLen * h, b * seqLen * h);
      const t = gpu.upload(data, [1, b - a, seqLen, h]);
      const [delta] = await batchMoments(gpu, t, dataset.kinds.subarray(a * seqLen, b * seqLen));
      gpu.release(t);
      const zeros = gpu.upload(new Float32Array(data.length), [1, b - a, seqLen, h]);
      const [base] = await batchMoments(gpu, zeros, dataset.kinds.subarray(a * seqLen, b * seqLen));
      gpu.release(zeros);
      const stats: ShardStats = { 1: { base, delta: { r16: delta } } };
      const pieces: ShardPiece[] = [{ layer: 1, stream: 'r16', data }];
      await store.writeShard(m.runId, i, pieces, stats);
    }
    expect((await store.manifest(m.runId)).shards.map((s) => [s.sequenceStart, s.sequenceEnd])).toEqual([[0, 3], [3, 4]]);

    const reports: Progress[] = [];
    const twice = [1, 1].map(() => ({ layer: 1, adapter: 'r16', sae, nearest: null, alignment: null }));
    const [set, again] = await runLatentDashboards(gpu, store, m.runId, model, twice, { decode: (id) => `t${id}`, onProgress: (p) => reports.push(p) });
    expect(again).toEqual(set);
    // one bar over both SAEs: each scans the 4 sequences twice
    const scan = reports.filter((p) => p.stage === 'evaluate');
    expect(scan.every((p, i) => p.total === 16 && (i === 0 || p.done >= scan[i - 1].done))).toBe(true);
    expect(scan[scan.length - 1].done).toBe(16);
    await store.deleteRun(m.runId);
    const ref = referenceLatents({ ...sae, threshold: sae.threshold as Float32Array }, x, (t) => dataset.kinds[t] === TOKEN_KIND.text, seqLen);
    const d = sae.dSae;
    expect([set.layer, set.adapter, set.width, set.tokens]).toEqual([1, 'r16', d, 92]);
    expect(set.frequency).toEqual(Array.from(ref.frequency));
    const shareScale = Math.max(...ref.varianceShare);
    set.varianceShare.forEach((s, i) => expect(Math.abs(s - ref.varianceShare[i]) / shareScale).toBeLessThanOrEqual(TOL));
    expect([set.thresholds, new Set(set.nearest), new Set(set.cosine), new Set(set.label)]).toEqual([null, new Set([null]), new Set([null]), new Set([null])]);
    expect(set.dashboards).toHaveLength(LATENT_DASHBOARDS);

    const embed = await model.checkpoint.readF32('model.embed_tokens.weight');
    const g = await model.checkpoint.readF32('model.norm.weight');
    for (const dash of set.dashboards) {
      const i = dash.index;
      const hits = ref.hits[i];
      const n = Math.min(8, hits.length);
      expect(dash.contexts).toHaveLength(n);
      if (hits.length <= n || hits[n - 1].activation - hits[n].activation > TOL * ref.max[i]) {
        expect(new Set(dash.contexts.map((c) => `${c.sequence}:${c.position}`))).toEqual(new Set(hits.slice(0, n).map((c) => `${c.sequence}:${c.position}`)));
      }
      for (const c of dash.contexts) {
        const row = c.sequence * seqLen + c.start;
        const want = Array.from(dataset.ids.subarray(row, row + c.ids.length));
        expect(c.ids).toEqual(want);
        expect(c.tokens).toEqual(want.map((id) => `t${id}`));
        c.acts.forEach((a, k) => expect(Math.abs(a - ref.acts[(row + k) * d + i])).toBeLessThanOrEqual(TOL * ref.max[i]));
      }
      expect(dash.histogram.counts).toEqual(referenceHistogram(ref, i, dash.histogram.counts.length));
      const z = referenceLens(Float64Array.from(sae.W_dec.subarray(i * h, (i + 1) * h)), embed, g, model.config.rmsNormEps).z;
      expectLensMatches(dash, z, LOGIT_EFFECT_TOP, `latent ${i}`);
      for (const t of [...dash.promoted, ...dash.suppressed]) expect(t.token).toBe(`t${t.id}`);
    }
  });
});
