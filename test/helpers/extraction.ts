import { expect } from 'vitest';
import type { Gemma2Checkpoint, LoraAdapter } from '../../src/formats/index.js';
import type { PackedDataset } from '../../src/lab/dataset-pack.js';
import type { ExtractionInput, OpenedEngine } from '../../src/lab/extraction/index.js';
import { GemmaEngine } from '../../src/model/index.js';
import { BASE_STREAM, ftStream, type ActivationStore, type RunManifest } from '../../src/store/index.js';
import { testGpu } from './gpu.js';
import { fixtureAdapter, fixtureModel } from './model.js';

/** The extraction tests' setup: the F32 fixture model with four adapters, every layer hooked. */
export const NAMES = ['r4', 'r8', 'r16', 'r32'];
export const LAYERS = [0, 1, 2, 3];
export const H = 64;

export interface FixtureEngine {
  model: Gemma2Checkpoint;
  adapters: LoraAdapter[];
  engine: GemmaEngine;
}

let shared: Promise<FixtureEngine> | null = null;

/** One engine per test file, on the file's shared device. */
export function fixtureEngine(): Promise<FixtureEngine> {
  shared ??= (async () => {
    const model = await fixtureModel();
    const adapters = await Promise.all(NAMES.map((n) => fixtureAdapter(n, model)));
    const engine = await GemmaEngine.load(await testGpu(), model.checkpoint, model.config, adapters, { dtype: 'f32', layers: LAYERS });
    return { model, adapters, engine };
  })();
  return shared;
}

/** The shared engine, wrapped so a run cannot dispose it. */
export async function sharedEngine(): Promise<OpenedEngine> {
  const { engine } = await fixtureEngine();
  return { gpu: await testGpu(), engine: { adapterNames: engine.adapterNames, forward: (ids, b, s, counted) => engine.forward(ids, b, s, counted) } };
}

export function extractionInput(dataset: PackedDataset, dtype: 'f16' | 'f32', saveBase: boolean, batchSize: number, seqsPerShard: number): ExtractionInput {
  return {
    dataset,
    model: { sha256: 'fixture-model', dtype: 'f32', hidden: H },
    adapters: NAMES.map((name) => ({ name, sha256: `fixture-${name}` })),
    tokenizer: null,
    options: { layers: LAYERS, dtype, saveBase, batchSize, shardBytes: Math.max(1024, seqsPerShard * dataset.seqLen * H * (dtype === 'f16' ? 2 : 4)) },
  };
}

/** Index of the first element whose bits differ, or -1. */
export function firstBitMismatch(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** Replays the run's forward passes (same shards, same batches) and checks every stored stream bit for bit. */
export async function expectStoredEqualsForward(store: ActivationStore, m: RunManifest, ds: PackedDataset, batchSize: number): Promise<void> {
  const gpu = await testGpu();
  const { engine } = await fixtureEngine();
  const S = ds.seqLen;
  for (const shard of m.shards) {
    for (let b0 = shard.sequenceStart; b0 < shard.sequenceEnd; b0 += batchSize) {
      const nb = Math.min(batchSize, shard.sequenceEnd - b0);
      const out = await engine.forward(ds.ids.subarray(b0 * S, (b0 + nb) * S), nb, S);
      const per = nb * S * H;
      const at = (b0 - shard.sequenceStart) * S * H;
      for (const l of LAYERS) {
        const delta = await gpu.read(out.delta.get(l)!);
        const post = await gpu.read(out.residPost.get(l)!);
        const want = new Map<string, Float32Array>(NAMES.map((n, k) => [n, delta.subarray(k * per, (k + 1) * per)]));
        if (m.saveBase) {
          want.set(BASE_STREAM, post.subarray(0, per));
          NAMES.forEach((n, k) => want.set(ftStream(n), post.subarray((k + 1) * per, (k + 2) * per)));
        }
        for (const [stream, w] of want) {
          const got = (await store.readPiece(m.runId, l, stream, shard.index)).subarray(at, at + per);
          expect(firstBitMismatch(got, w), `layer ${l} ${stream} sequences ${b0}..${b0 + nb}: first differing element`).toBe(-1);
        }
      }
      out.release();
    }
  }
}
