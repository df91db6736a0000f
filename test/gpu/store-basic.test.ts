import { describe, expect, it } from 'vitest';
import {
  ActivationStore,
  batchMoments,
  BASE_STREAM,
  exportStoredTensor,
  ftStream,
  StoredActivations,
  summarizeMoments,
  TOKEN_KIND,
  type NewRun,
  type ShardPiece,
  type ShardStats,
  type StoredDataset,
} from '../../src/store/index.js';
import { parseNpy } from '../../src/formats/index.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { maskedMomentsRef } from '../ref/masked-moments.js';

const N = 7; // sequences
const S = 6; // positions
const H = 8; // hidden
const ADAPTERS = ['a', 'b'];
const LAYERS = [0, 2];

/** Synthetic dataset: BOS first, the last sequence padded after position 3. */
function dataset(): StoredDataset {
  const kinds = new Uint8Array(N * S).fill(TOKEN_KIND.text);
  for (let s = 0; s < N; s++) kinds[s * S] = TOKEN_KIND.bos;
  for (let p = 4; p < S; p++) kinds[(N - 1) * S + p] = TOKEN_KIND.pad;
  return { ids: Int32Array.from({ length: N * S }, (_, i) => i % 50), kinds, heldOut: Uint32Array.from([2, 5]) };
}

/** Deterministic activations of (layer, stream): a large BOS row like real models, values up to ~100. */
function full(layer: number, stream: string): Float32Array {
  const seed = layer * 31 + [...stream].reduce((a, c) => a + c.charCodeAt(0), 0);
  const x = Float32Array.from(randomArray(N * S * H, seed), (v, i) => v * (1 + (i % 7)) * 10);
  for (let s = 0; s < N; s++) for (let h = 0; h < H; h++) x[(s * S) * H + h] *= 50;
  return x;
}

function newRun(dtype: 'f16' | 'f32', saveBase: boolean, label: string): NewRun {
  return {
    label,
    modelSha256: 'm'.repeat(64),
    adapters: ADAPTERS.map((name) => ({ name, sha256: name.repeat(64) })),
    tokenizer: null,
    datasetSha256: `${label}-${dtype}-${saveBase}`,
    layers: LAYERS,
    modelDtype: 'f32',
    dtype,
    seqLen: S,
    saveBase,
    hidden: H,
    numSequences: N,
    textTokens: N * (S - 1) - 2,
    heldOutFraction: 0.25,
    splitSeed: 1,
    shardBytes: 3 * S * H * (dtype === 'f16' ? 2 : 4), // 3 sequences per shard → shards of 3, 3, 1
  };
}

async function writeAll(store: ActivationStore, runId: string, streams: string[]): Promise<void> {
  const gpu = await testGpu();
  const m = await store.manifest(runId);
  const ds = dataset();
  for (let i = m.shards.length; i < m.numShards; i++) {
    const [a, b] = store.shardRange(m, i);
    const pieces: ShardPiece[] = [];
    const stats: ShardStats = {};
    for (const l of LAYERS) {
      const kinds = ds.kinds.subarray(a * S, b * S);
      const deltas = ADAPTERS.map((ad) => full(l, ad).subarray(a * S * H, b * S * H));
      const stacked = new Float32Array(deltas.length * (b - a) * S * H);
      deltas.forEach((d, k) => stacked.set(d, k * d.length));
      const t = gpu.upload(stacked, [ADAPTERS.length, b - a, S, H]);
      const moments = await batchMoments(gpu, t, kinds);
      gpu.release(t);
      const baseT = gpu.upload(full(l, BASE_STREAM).subarray(a * S * H, b * S * H), [1, b - a, S, H]);
      const [base] = await batchMoments(gpu, baseT, kinds);
      gpu.release(baseT);
      stats[l] = { base, delta: Object.fromEntries(ADAPTERS.map((ad, k) => [ad, moments[k]])) };
      for (const s of streams) pieces.push({ layer: l, stream: s, data: full(l, s).subarray(a * S * H, b * S * H) });
    }
    await store.writeShard(runId, i, pieces, stats);
  }
}

describe('activation store (real IndexedDB)', () => {
  it('stores f32 shards bit for bit and lists, reopens and deletes the run', async () => {
    const store = ActivationStore.open('store-basic-test');
    const m = await store.createRun(newRun('f32', true, 'f32'), dataset());
    expect([m.sequencesPerShard, m.numShards, m.shards.length]).toEqual([3, 3, 0]);
    expect((await store.createRun(newRun('f32', true, 'f32'), dataset())).runId).toBe(m.runId);
    const streams = [...ADAPTERS, BASE_STREAM, ...ADAPTERS.map(ftStream)];
    await writeAll(store, m.runId, streams);
    const done = await store.manifest(m.runId);
    expect(done.complete).toBe(true);
    expect(done.shards.map((s) => [s.sequenceStart, s.sequenceEnd])).toEqual([[0, 3], [3, 6], [6, 7]]);
    for (const l of LAYERS) for (const s of streams) expect(await store.readTensor(m.runId, l, s)).toEqual(full(l, s));
    const npy = parseNpy(await exportStoredTensor(store, m.runId, 2, 'b', 'npy'), 'x.npy');
    expect(npy.shape).toEqual([N, S, H]);
    expect(npy.data).toEqual(full(2, 'b'));
    expect((await store.listRuns()).map((r) => r.runId)).toContain(m.runId);
    await store.deleteRun(m.runId);
    expect(await store.getManifest(m.runId)).toBeUndefined();
    await expect(store.readPiece(m.runId, 0, 'a', 0)).rejects.toThrow(/missing/);
  });

  it('merges GPU-reduced statistics across shards into the float64 moments of all text tokens', async () => {
    const store = ActivationStore.open('store-basic-test');
    const m = await store.createRun(newRun('f32', false, 'stats'), dataset());
    await writeAll(store, m.runId, ADAPTERS);
    const done = await store.manifest(m.runId);
    const ds = dataset();
    const textMask = Uint8Array.from(ds.kinds, (k) => (k === TOKEN_KIND.text ? 1 : 0));
    for (const l of LAYERS) {
      for (const ad of ADAPTERS) {
        const x = full(l, ad);
        const ref = maskedMomentsRef(x, textMask, 1, N * S, H);
        const got = done.stats[String(l)].delta[ad];
        expect(got.count).toBe(N * (S - 1) - 2);
        expect(got.countWithBos).toBe(N * S - 2);
        for (let h = 0; h < H; h++) {
          expect(Math.abs(got.mean[h] - ref.mean[h]) / (Math.abs(ref.mean[h]) + 1)).toBeLessThan(1e-5);
          expect(Math.abs(got.m2[h] - ref.m2[h]) / ref.m2[h]).toBeLessThan(1e-5);
        }
        let normText = 0;
        let normAll = 0;
        for (let r = 0; r < N * S; r++) {
          let q = 0;
          for (let h = 0; h < H; h++) q += x[r * H + h] ** 2;
          if (ds.kinds[r] === TOKEN_KIND.text) normText += Math.sqrt(q);
          if (ds.kinds[r] !== TOKEN_KIND.pad) normAll += Math.sqrt(q);
        }
        const s = summarizeMoments(got);
        expect(Math.abs(s.meanNorm - normText / got.count) / s.meanNorm).toBeLessThan(1e-5);
        expect(Math.abs(s.meanNormWithBos - normAll / got.countWithBos) / s.meanNormWithBos).toBeLessThan(1e-5);
      }
    }
    await store.deleteRun(m.runId);
  });

  it('f16 storage stays within 1e-3 relative per token of f32 storage', async () => {
    const store = ActivationStore.open('store-basic-test');
    const m16 = await store.createRun(newRun('f16', false, 'half'), dataset());
    expect(m16.sequencesPerShard).toBe(3);
    await writeAll(store, m16.runId, ADAPTERS);
    let worst = 0;
    for (const l of LAYERS) {
      for (const ad of ADAPTERS) {
        const got = await store.readTensor(m16.runId, l, ad);
        const ref = full(l, ad);
        for (let r = 0; r < N * S; r++) {
          let d = 0;
          let n = 0;
          for (let h = 0; h < H; h++) {
            d += (got[r * H + h] - ref[r * H + h]) ** 2;
            n += ref[r * H + h] ** 2;
          }
          worst = Math.max(worst, Math.sqrt(d / n));
        }
      }
    }
    expect(worst, `worst per-token relative error ${worst.toExponential(3)}`).toBeLessThan(1e-3);
    await store.deleteRun(m16.runId);
  });

  it('reads rows by number and yields each text row of a split exactly once per seeded shuffled pass', async () => {
    const store = ActivationStore.open('store-basic-test');
    const m = await store.createRun(newRun('f32', false, 'reader'), dataset());
    await writeAll(store, m.runId, ADAPTERS);
    const reader = await StoredActivations.open(store, m.runId, 2, 'b', 2);
    const x = full(2, 'b');
    expect(await reader.rows([13, 0, 41])).toEqual(Float32Array.from([...x.subarray(13 * H, 14 * H), ...x.subarray(0, H), ...x.subarray(41 * H, 42 * H)]));
    const train = reader.tokenRows('train');
    const held = reader.tokenRows('heldout');
    expect(train.length + held.length).toBe(N * (S - 1) - 2);
    expect([...held].every((r) => [2, 5].includes(Math.floor(r / S)))).toBe(true);
    const key = (row: Float32Array) => row.join(',');
    const expected = [...train].map((r) => key(x.subarray(r * H, (r + 1) * H))).sort();
    const pass = async (seed: number) => {
      const seen: string[] = [];
      for await (const batch of reader.shuffled({ split: 'train', batchSize: 4, seed, shardsInBuffer: 2 })) {
        for (let i = 0; i < batch.length / H; i++) seen.push(key(batch.subarray(i * H, (i + 1) * H)));
      }
      return seen;
    };
    const a = await pass(1);
    expect([...a].sort()).toEqual(expected);
    expect(await pass(1)).toEqual(a);
    expect(await pass(2)).not.toEqual(a);
    await store.deleteRun(m.runId);
  });
});
