import { describe, expect, it } from 'vitest';
import { DeltaMeans, LENS_POSITIONS, lensLogitsGpu, lensVector, rowMatrix } from '../../src/analysis/index.js';
import { SafetensorsFile } from '../../src/formats/index.js';
import { testGpu } from '../helpers/gpu.js';
import { expectLensMatches } from '../helpers/lens-check.js';
import { referenceLens, referenceMeanDelta } from '../ref/analysis-lens.js';
import { fixtureBytes, fixtureJsonFile, fixtureNpy } from '../ref/analysis-load.js';

const BOS = 2;
const TOP = 20;

async function fixtureModel() {
  const st = await SafetensorsFile.open(await fixtureBytes('model/model.safetensors'), 'model.safetensors');
  const config = await fixtureJsonFile<{ rms_norm_eps: number; vocab_size: number; hidden_size: number }>('model/config.json');
  return { embed: await st.readF32('model.embed_tokens.weight'), g: await st.readF32('model.norm.weight'), config };
}

describe('activation-difference lens on the GPU (fixture deltas, float64 reference)', () => {
  for (const chunkRows of [undefined, 100]) {
    it(`top-${TOP} promoted/suppressed per adapter and layer, and per leading position, match the reference (W_E chunks of ${chunkRows ?? 'one binding'} rows)`, async () => {
      const gpu = await testGpu();
      const { embed, g, config } = await fixtureModel();
      const ids = await fixtureNpy('reference/input_ids.npy');
      const [seqs, seqLen] = ids.shape;
      const h = config.hidden_size;
      const kinds = Uint8Array.from(ids.data, (id) => (id === BOS ? 1 : 0));
      for (const adapter of ['r4', 'r32', 'r8-patterns']) {
        const delta = (await fixtureNpy(`reference/adapters/${adapter}/delta.npy`)).data as Float32Array;
        for (const layer of [0, 3]) {
          const d = delta.subarray(layer * seqs * seqLen * h, (layer + 1) * seqs * seqLen * h);
          const acc = new DeltaMeans(h);
          // two shards, as the store hands them over
          acc.add(d.subarray(0, seqLen * h), kinds.subarray(0, seqLen), seqLen);
          acc.add(d.subarray(seqLen * h), kinds.subarray(seqLen), seqLen);
          const means = acc.means();
          expect(means.tokens).toBe(seqs * (seqLen - 1));
          expect(means.positions.map((p) => p.tokens)).toEqual(new Array(LENS_POSITIONS).fill(seqs));
          const vectors = [means.all, ...means.positions.map((p) => p.mean)].map((m) => lensVector(m, g, config.rms_norm_eps));
          const got = await lensLogitsGpu(gpu, vectors, rowMatrix(embed, config.vocab_size, h), { top: TOP, chunkRows });
          expectLensMatches(got[0], referenceLens(referenceMeanDelta(d, ids.data, h, BOS), embed, g, config.rms_norm_eps).z, TOP, `${adapter} L${layer}`);
          for (let k = 0; k < LENS_POSITIONS; k++) {
            expectLensMatches(got[k + 1], referenceLens(referenceMeanDelta(d, ids.data, h, BOS, k), embed, g, config.rms_norm_eps).z, TOP, `${adapter} L${layer} position ${k}`);
          }
        }
      }
    });
  }

  it('reports the whole vocabulary when top exceeds it, and one token with top = 1', async () => {
    const gpu = await testGpu();
    const { embed, g, config } = await fixtureModel();
    const ids = await fixtureNpy('reference/input_ids.npy');
    const delta = (await fixtureNpy('reference/adapters/r8/delta.npy')).data as Float32Array;
    const n = ids.data.length * config.hidden_size;
    const mean = referenceMeanDelta(delta.subarray(n, 2 * n), ids.data, config.hidden_size, BOS);
    const z = referenceLens(mean, embed, g, config.rms_norm_eps).z;
    const v = lensVector(mean, g, config.rms_norm_eps);
    const [all] = await lensLogitsGpu(gpu, [v], rowMatrix(embed, config.vocab_size, config.hidden_size), { top: 1000, chunkRows: 77 });
    expectLensMatches(all, z, 1000, 'r8 L1 whole vocabulary');
    const [one] = await lensLogitsGpu(gpu, [v], rowMatrix(embed, config.vocab_size, config.hidden_size), { top: 1 });
    expectLensMatches(one, z, 1, 'r8 L1 top 1');
  });
});
