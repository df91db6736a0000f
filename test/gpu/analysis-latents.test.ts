import { describe, expect, it } from 'vitest';
import { CONTEXT_AFTER, CONTEXT_BEFORE, LATENT_CONTEXTS, LATENT_HISTOGRAM_BINS, latentScanGpu, lensLogitsGpu, lensVector, rowMatrix } from '../../src/analysis/index.js';
import { SafetensorsFile } from '../../src/formats/index.js';
import { testGpu } from '../helpers/gpu.js';
import { expectLensMatches } from '../helpers/lens-check.js';
import { referenceLens } from '../ref/analysis-lens.js';
import { referenceHistogram, referenceLatents, topkMargin } from '../ref/analysis-latents.js';
import { fixtureBytes, fixtureGemmaScopeSae, fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';

const BOS = 2;
const DASHBOARDS = 48;
/** float32 encoding against float64: activations within this share of the latent's largest */
const TOL = 1e-5;

/**
 * The fixture SAE (built for adapter r16's layer-1 deltas, with a firing margin no float32 encoder can flip)
 * on those deltas, as the store would hand them over in two shards of two sequences.
 */
async function fixtureRun() {
  const sae = await fixtureGemmaScopeSae();
  const ids = await fixtureNpy('reference/input_ids.npy');
  const [seqs, seqLen] = ids.shape;
  const d = sae.dIn;
  const all = (await fixtureNpy('reference/adapters/r16/delta.npy')).data as Float32Array;
  const x = all.subarray(seqs * seqLen * d, 2 * seqs * seqLen * d);
  const kinds = Uint8Array.from(ids.data, (id) => (id === BOS ? 1 : 0));
  const half = seqs / 2;
  const pieces = [0, half].map((start) => ({
    sequenceStart: start,
    sequences: half,
    read: async () => ({ x: x.slice(start * seqLen * d, (start + half) * seqLen * d), kinds: kinds.slice(start * seqLen, (start + half) * seqLen) }),
  }));
  return { sae, ids, seqLen, x, kinds, pieces };
}

describe('delta-feature dashboards on the GPU (fixture SAE on r16 layer-1 deltas, brute-force float64 reference)', () => {
  for (const [arch, batchRows] of [['jumprelu', undefined], ['jumprelu', 30], ['topk', 30]] as const) {
    it(`frequency, variance share, top contexts and histograms match the reference (${arch}, ${batchRows ?? 'default'} rows per batch)`, async () => {
      const gpu = await testGpu();
      const run = await fixtureRun();
      const { seqLen, x, kinds, pieces } = run;
      // TopK: the fixture's encoder with its 20 largest pre-activations per token (ReLU after), as SAELens' TopK
      const sae = arch === 'topk' ? { ...run.sae, architecture: 'topk' as const, k: 20, threshold: undefined } : run.sae;
      const m = sae.dSae;
      const text = (t: number) => kinds[t] === 0;
      if (arch === 'topk') expect(topkMargin({ ...sae, k: 20 }, x, text), 'k-th and (k+1)-th pre-activations must be clearly apart').toBeGreaterThan(1e-5);
      const ref = referenceLatents({ ...sae, threshold: sae.threshold as Float32Array | undefined }, x, text, seqLen);
      const got = await latentScanGpu(gpu, sae, { seqLen, pieces }, { dashboards: DASHBOARDS, batchRows });

      expect(got.tokens).toBe(92);
      expect(ref.tokens).toBe(92);
      // firing decisions are exact (the fixture's margin), so counts agree exactly
      expect(Array.from(got.frequency, (f) => Math.round(f * got.tokens))).toEqual(Array.from(ref.frequency, (f) => Math.round(f * ref.tokens)));
      expect(Array.from(got.frequency)).toEqual(Array.from(ref.frequency));
      const shareScale = Math.max(...ref.varianceShare);
      for (let i = 0; i < m; i++) {
        expect(Math.abs(got.varianceShare[i] - ref.varianceShare[i]) / shareScale, `share of latent ${i}`).toBeLessThanOrEqual(TOL);
        expect(Math.abs(got.maxActivation[i] - ref.max[i]), `max of latent ${i}`).toBeLessThanOrEqual(TOL * Math.max(ref.max[i], 1e-30));
      }
      expect(ref.frequency.filter((f) => f > 0).length).toBeGreaterThan(DASHBOARDS);

      let compared = 0;
      for (let i = 0; i < m; i++) {
        const hits = ref.hits[i];
        const n = Math.min(LATENT_CONTEXTS, hits.length);
        const contexts = got.contexts[i];
        expect(contexts.length, `contexts of latent ${i}`).toBe(n);
        const tol = TOL * ref.max[i];
        const separated = hits.length <= n || hits[n - 1].activation - hits[n].activation > tol;
        if (separated) {
          const key = (h: { sequence: number; position: number }) => `${h.sequence}:${h.position}`;
          expect(new Set(contexts.map(key)), `top-context set of latent ${i}`).toEqual(new Set(hits.slice(0, n).map(key)));
          compared++;
        }
        for (const c of contexts) {
          const row = c.sequence * seqLen + c.position;
          expect(Math.abs(c.activation - ref.acts[row * m + i])).toBeLessThanOrEqual(tol);
          expect(c.activation).toBeGreaterThanOrEqual(hits[n - 1].activation - tol);
          expect(c.start).toBe(Math.max(0, c.position - CONTEXT_BEFORE));
          expect(c.acts.length).toBe(Math.min(seqLen, c.position + CONTEXT_AFTER + 1) - c.start);
          c.acts.forEach((a, k) => expect(Math.abs(a - ref.acts[(c.sequence * seqLen + c.start + k) * m + i]), `window of latent ${i} at ${c.sequence}:${c.start + k}`).toBeLessThanOrEqual(tol));
        }
        for (let k = 1; k < contexts.length; k++) expect(contexts[k - 1].activation).toBeGreaterThanOrEqual(contexts[k].activation);
      }
      expect(compared).toBeGreaterThan(m / 2);

      // the dashboards are the latents with the largest reference variance share, in that order where it is clear
      const order = Array.from(ref.varianceShare.keys()).sort((a, b) => ref.varianceShare[b] - ref.varianceShare[a]);
      expect(got.dashboards.length).toBe(DASHBOARDS);
      got.dashboards.forEach((dash, k) => {
        const gap = Math.min(k > 0 ? ref.varianceShare[order[k - 1]] - ref.varianceShare[order[k]] : Infinity, ref.varianceShare[order[k]] - ref.varianceShare[order[k + 1]]);
        if (gap > TOL * shareScale) expect(dash.index, `dashboard ${k}`).toBe(order[k]);
        expect(dash.histogram.counts).toEqual(referenceHistogram(ref, dash.index, LATENT_HISTOGRAM_BINS));
        expect(dash.histogram.edges.length).toBe(LATENT_HISTOGRAM_BINS + 1);
        expect(dash.histogram.edges[0]).toBe(0);
        expect(Math.abs(dash.histogram.edges[LATENT_HISTOGRAM_BINS] - ref.max[dash.index])).toBeLessThanOrEqual(TOL * ref.max[dash.index]);
        expect(dash.histogram.counts.reduce((s, c) => s + c, 0)).toBe(ref.hits[dash.index].length);
      });
    });
  }

  it('logit effects of the dashboard latents (decoder row through the final norm and W_E) match the float64 reference', async () => {
    const gpu = await testGpu();
    const { sae, seqLen, pieces } = await fixtureRun();
    const st = await SafetensorsFile.open(await fixtureBytes('model/model.safetensors'), 'model.safetensors');
    const config = await fixtureJsonFile<{ rms_norm_eps: number; vocab_size: number; hidden_size: number }>('model/config.json');
    const embed = await st.readF32('model.embed_tokens.weight');
    const g = await st.readF32('model.norm.weight');
    const { dashboards } = await latentScanGpu(gpu, sae, { seqLen, pieces }, { dashboards: DASHBOARDS });
    const rows = dashboards.map(({ index }) => sae.W_dec.subarray(index * sae.dIn, (index + 1) * sae.dIn));
    const got = await lensLogitsGpu(gpu, rows.map((v) => lensVector(v, g, config.rms_norm_eps)), rowMatrix(embed, config.vocab_size, config.hidden_size), { top: 10, chunkRows: 100 });
    got.forEach((r, k) => expectLensMatches(r, referenceLens(Float64Array.from(rows[k]), embed, g, config.rms_norm_eps).z, 10, `latent ${dashboards[k].index}`));
  });
});
