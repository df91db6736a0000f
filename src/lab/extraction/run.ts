import { DeltascopeError, DeviceLostError, InputError, throwIfAborted } from '../../errors/index.js';
import type { Gpu, GpuTensor } from '../../gpu/index.js';
import type { ForwardOutput, ModelDtype } from '../../model/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import {
  ActivationStore,
  BASE_STREAM,
  batchMoments,
  ftStream,
  mergeMoments,
  type LocalWriteSum,
  type MomentStats,
  type RunManifest,
  type ShardPiece,
  type ShardStats,
  type StorageDtype,
  TOKEN_KIND,
} from '../../store/index.js';
import type { PackedDataset } from '../dataset-pack.js';

/** How an extraction run stores activations. */
export interface ExtractionOptions {
  /** Layers whose resid_post is stored, ascending, no repeats. */
  layers: number[];
  /** Storage precision: f32 keeps the engine's numbers bit for bit, f16 halves the space. */
  dtype: StorageDtype;
  /** Also store base activations and each adapter's own activations (not only deltas). */
  saveBase: boolean;
  /** Sequences per forward pass. */
  batchSize: number;
  /** Target bytes of one shard piece (one layer, one stream); default 4 MiB. */
  shardBytes?: number;
  /** Name shown in run lists. */
  label?: string;
}

/** What is extracted: the packed dataset and the identities of the model, adapters and tokenizer. */
export interface ExtractionInput {
  dataset: PackedDataset;
  model: { sha256: string; dtype: ModelDtype; hidden: number };
  /** In the engine's stream order. */
  adapters: { name: string; sha256: string }[];
  tokenizer: { name: string; sha256: string } | null;
  options: ExtractionOptions;
}

/** The part of GemmaEngine a run uses. */
export interface ExtractionEngine {
  readonly adapterNames: readonly string[];
  /** `counted` marks the tokens loraNorms are taken over (here: text tokens). */
  forward(ids: Int32Array, batch: number, seq: number, counted?: Uint8Array): Promise<ForwardOutput>;
  dispose?(): void;
}

export interface OpenedEngine {
  gpu: Gpu;
  engine: ExtractionEngine;
}

export interface ExtractionContext {
  store: ActivationStore;
  /** Loads the engine (with the run's layers hooked); called lazily, and again after a lost device. */
  openEngine: () => Promise<OpenedEngine>;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Lost devices survived by reopening the engine within one call (default 2). */
  maxDeviceLosses?: number;
  /** After each committed shard (the UI refreshes its run list here). */
  onShard?: (manifest: RunManifest) => void | Promise<void>;
}

export interface ExtractionResult {
  runId: string;
  manifest: RunManifest;
  /** Shards written by this call (0 when the run was already complete). */
  shardsWritten: number;
  deviceLosses: number;
}

const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** Checks the whole input and lists every problem in one InputError before any work starts. */
export function validateExtraction(input: ExtractionInput): void {
  const o = input.options;
  const problems: string[] = [];
  if (o.layers.length === 0) problems.push('layers: choose at least one layer');
  if (o.layers.some((l, i) => !Number.isInteger(l) || l < 0 || (i > 0 && l <= o.layers[i - 1]))) problems.push(`layers must be ascending non-negative integers without repeats (got ${o.layers.join(', ')})`);
  if (o.dtype !== 'f16' && o.dtype !== 'f32') problems.push(`dtype must be f16 or f32 (got ${String(o.dtype)})`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) problems.push(`batchSize must be a positive integer (got ${o.batchSize})`);
  if (o.shardBytes !== undefined && !(Number.isInteger(o.shardBytes) && o.shardBytes >= 1024)) problems.push(`shardBytes must be an integer ≥ 1024 (got ${o.shardBytes})`);
  if (input.adapters.length === 0) problems.push('adapters: at least one adapter is needed to form deltas');
  const names = input.adapters.map((a) => a.name);
  if (new Set(names).size !== names.length) problems.push(`adapter names must differ (got ${names.join(', ')})`);
  if (names.some((n) => n.length === 0 || n.startsWith('@') || n.includes('/'))) problems.push('adapter names must be non-empty and contain no "/" or leading "@"');
  if (!(Number.isInteger(input.model.hidden) && input.model.hidden > 0)) problems.push(`model hidden size must be positive (got ${input.model.hidden})`);
  if (input.dataset.numSequences < 1) problems.push('the dataset has no sequences');
  if (problems.length) throw new InputError('extraction settings', problems.join('; '));
}

/** Resolves true when the device is (or within 200 ms turns out to be) lost. */
async function deviceWasLost(gpu: Gpu): Promise<boolean> {
  return Promise.race([gpu.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
}

/** A [1, batch, seq, hidden] view of stream 0 (base) of a [streams, batch, seq, hidden] tensor. */
function baseView(t: GpuTensor): GpuTensor {
  return { ...t, shape: [1, ...t.shape.slice(1)] };
}

interface ComputedShard {
  pieces: ShardPiece[];
  stats: ShardStats;
  localWrites: LocalWriteSum[];
}

/** Adds one forward pass's mean local norms (each over its own counted tokens) to float64 sums per module. */
export function addLocalWrites(sums: Map<string, LocalWriteSum>, norms: ForwardOutput['loraNorms']): void {
  for (const n of norms) {
    const key = `${n.adapter}|${n.module}`;
    const e = sums.get(key) ?? { adapter: n.adapter, layer: n.layer, module: n.module, sumNorm: 0, tokens: 0 };
    e.sumNorm += n.meanNorm * n.tokens;
    e.tokens += n.tokens;
    sums.set(key, e);
  }
}

/** Runs the forward passes of one shard and returns its pieces and statistics (nothing is stored here). */
async function computeShard(opened: OpenedEngine, m: RunManifest, ds: PackedDataset, index: number, batchSize: number, signal: AbortSignal | undefined, onTokens: (n: number) => void): Promise<ComputedShard> {
  const { gpu, engine } = opened;
  const { seqLen: S, hidden: H } = m;
  const start = index * m.sequencesPerShard;
  const end = Math.min(m.numSequences, start + m.sequencesPerShard);
  const names = m.adapters.map((a) => a.name);
  const alloc = () => new Float32Array((end - start) * S * H);
  const pieces = new Map<string, Float32Array>();
  for (const l of m.layers) {
    for (const n of names) pieces.set(`${l}|${n}`, alloc());
    if (m.saveBase) {
      pieces.set(`${l}|${BASE_STREAM}`, alloc());
      for (const n of names) pieces.set(`${l}|${ftStream(n)}`, alloc());
    }
  }
  const stats: ShardStats = {};
  const add = (l: number, base: MomentStats, deltas: MomentStats[]): void => {
    const cur = stats[l];
    const delta = Object.fromEntries(names.map((n, k) => [n, cur ? mergeMoments(cur.delta[n], deltas[k]) : deltas[k]]));
    stats[l] = { base: cur?.base ? mergeMoments(cur.base, base) : base, delta };
  };
  const localWrites = new Map<string, LocalWriteSum>();
  for (let b0 = start; b0 < end; b0 += batchSize) {
    throwIfAborted(signal, 'extraction');
    const nb = Math.min(batchSize, end - b0);
    const kinds = ds.kinds.subarray(b0 * S, (b0 + nb) * S);
    const out = await engine.forward(ds.ids.subarray(b0 * S, (b0 + nb) * S), nb, S, kinds.map((k) => (k === TOKEN_KIND.text ? 1 : 0)));
    try {
      addLocalWrites(localWrites, out.loraNorms);
      const at = (b0 - start) * S * H;
      const per = nb * S * H;
      for (const l of m.layers) {
        const delta = out.delta.get(l);
        const post = out.residPost.get(l);
        if (!delta || !post) throw new Error(`the engine did not hook layer ${l}`);
        const d = await gpu.read(delta);
        names.forEach((n, k) => pieces.get(`${l}|${n}`)!.set(d.subarray(k * per, (k + 1) * per), at));
        if (m.saveBase) {
          const r = await gpu.read(post);
          pieces.get(`${l}|${BASE_STREAM}`)!.set(r.subarray(0, per), at);
          names.forEach((n, k) => pieces.get(`${l}|${ftStream(n)}`)!.set(r.subarray((k + 1) * per, (k + 2) * per), at));
        }
        const [base] = await batchMoments(gpu, baseView(post), kinds);
        add(l, base, await batchMoments(gpu, delta, kinds));
      }
    } finally {
      out.release();
    }
    onTokens((b0 + nb) * S);
  }
  const list: ShardPiece[] = [...pieces].map(([key, data]) => {
    const bar = key.indexOf('|');
    return { layer: Number(key.slice(0, bar)), stream: key.slice(bar + 1), data };
  });
  return { pieces: list, stats, localWrites: [...localWrites.values()] };
}

/**
 * The extraction stage: packed sequences in, delta shards (and statistics) in the store out. Resumes
 * from the last complete shard of the same run; returns at once when the manifest says complete.
 * Cancelling (signal) stops between forward passes with the store consistent; a lost device reopens the
 * engine and redoes the unfinished shard; a full disk throws QuotaError with the store consistent.
 */
export async function extractDeltas(input: ExtractionInput, ctx: ExtractionContext): Promise<ExtractionResult> {
  validateExtraction(input);
  const { dataset: ds, options: o } = input;
  const m = await ctx.store.createRun(
    {
      label: o.label ?? `${input.adapters.length} adapters × ${o.layers.length} layers`,
      modelSha256: input.model.sha256,
      adapters: input.adapters,
      tokenizer: input.tokenizer,
      datasetSha256: ds.sha256,
      layers: o.layers,
      modelDtype: input.model.dtype,
      dtype: o.dtype,
      seqLen: ds.seqLen,
      saveBase: o.saveBase,
      hidden: input.model.hidden,
      numSequences: ds.numSequences,
      textTokens: ds.textTokens,
      heldOutFraction: ds.heldOutFraction,
      splitSeed: ds.splitSeed,
      shardBytes: o.shardBytes ?? DEFAULT_SHARD_BYTES,
    },
    { ids: ds.ids, kinds: ds.kinds, heldOut: ds.heldOut },
  );
  if (m.complete) return { runId: m.runId, manifest: m, shardsWritten: 0, deviceLosses: 0 };
  return withRunLock(m.runId, () => continueRun(m, ds, o.batchSize, ctx));
}

/**
 * Holds a Web Lock named after the run while it extracts, so a second tab or worker cannot write the
 * same shards at the same time (where Web Locks exist).
 */
async function withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return work();
  return locks.request(`deltascope-extract-${runId}`, { ifAvailable: true }, async (lock) => {
    if (!lock) throw new DeltascopeError('internal', `run ${runId} is already being extracted in another tab or worker; pause it there or wait for it to finish`);
    return work();
  });
}

async function continueRun(start: RunManifest, ds: PackedDataset, batchSize: number, ctx: ExtractionContext): Promise<ExtractionResult> {
  const { store } = ctx;
  // Re-read under the lock: another tab may have advanced the run since createRun.
  let m = await store.manifest(start.runId);
  const result = { runId: m.runId, shardsWritten: 0, deviceLosses: 0 };
  if (m.complete) return { ...result, manifest: m };
  await store.checkSpace(m);
  const total = m.numSequences * m.seqLen;
  const doneTokens = () => (m.shards.length ? m.shards[m.shards.length - 1].sequenceEnd : 0) * m.seqLen;
  const progress = progressReporter('extract', total, ctx.onProgress, { startDone: doneTokens() });
  let opened: OpenedEngine | null = null;
  try {
    while (!m.complete) {
      throwIfAborted(ctx.signal, 'extraction');
      opened ??= await openChecked(ctx, m);
      const index = m.shards.length;
      let shard: ComputedShard;
      try {
        shard = await computeShard(opened, m, ds, index, batchSize, ctx.signal, (t) => progress.update(t));
      } catch (e) {
        if (!(e instanceof DeviceLostError || (await deviceWasLost(opened.gpu)))) throw e;
        if (++result.deviceLosses > (ctx.maxDeviceLosses ?? 2)) throw e instanceof DeviceLostError ? e : new DeviceLostError('unknown', (e as Error).message);
        opened = null;
        continue;
      }
      m = await store.writeShard(m.runId, index, shard.pieces, shard.stats, shard.localWrites);
      result.shardsWritten++;
      progress.update(doneTokens());
      await ctx.onShard?.(m);
    }
  } finally {
    opened?.engine.dispose?.();
  }
  progress.finish(doneTokens());
  return { ...result, manifest: m };
}

async function openChecked(ctx: ExtractionContext, m: RunManifest): Promise<OpenedEngine> {
  const opened = await ctx.openEngine();
  const want = m.adapters.map((a) => a.name).join(', ');
  if (opened.engine.adapterNames.join(', ') !== want) {
    opened.engine.dispose?.();
    throw new Error(`the engine runs adapters [${opened.engine.adapterNames.join(', ')}], the run stores [${want}]`);
  }
  return opened;
}
