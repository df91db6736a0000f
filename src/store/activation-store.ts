import { createStore, del, delMany, get, keys, set, type UseStore } from 'idb-keyval';
import { DeltascopeError, QuotaError } from '../errors/index.js';
import { f16ToF32, f32ToF16 } from './f16.js';
import { BASE_STREAM, datasetKey, ftStream, shardKey, type StreamName } from './keys.js';
import { projectedBytes, STORE_SCHEMA_VERSION, storedStreams, type LayerStats, type LocalWriteSum, type RunIdentity, type RunManifest } from './manifest.js';
import { emptyMoments, mergeMoments, type MomentStats } from './stats.js';
import { requestPersistence, storageEstimate } from './quota.js';

/** Token ids, position kinds and split of a run, stored once when the run is created. */
export interface StoredDataset {
  /** [numSequences, seqLen] */
  ids: Int32Array;
  /** [numSequences, seqLen] TOKEN_KIND */
  kinds: Uint8Array;
  /** Sorted held-out sequence indices. */
  heldOut: Uint32Array;
}

/** What a new run needs besides its identity. */
export interface NewRun extends RunIdentity {
  label: string;
  hidden: number;
  numSequences: number;
  textTokens: number;
  heldOutFraction: number;
  splitSeed: number;
  /** Target bytes of one piece (one stream, one layer, one shard); a few MiB. */
  shardBytes: number;
}

/** One stream at one layer for the sequences of one shard, as f32 [sequences, seqLen, hidden]. */
export interface ShardPiece {
  layer: number;
  stream: StreamName;
  data: Float32Array;
}

/** Moments of one shard to merge into the manifest: per layer, base (when measured) and per adapter. */
export type ShardStats = Record<number, { base?: MomentStats; delta: Record<string, MomentStats> }>;

interface StoredPiece {
  dtype: 'f16' | 'f32';
  shape: [number, number, number];
  data: ArrayBuffer;
}

const MIB = 1024 * 1024;

function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'QuotaExceededError';
}

async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The run id is a hash of the identity, so starting the same run again finds (and resumes) it. */
export async function runIdFor(identity: RunIdentity): Promise<string> {
  const canonical: RunIdentity = {
    modelSha256: identity.modelSha256,
    adapters: identity.adapters.map((a) => ({ name: a.name, sha256: a.sha256 })),
    tokenizer: identity.tokenizer ? { name: identity.tokenizer.name, sha256: identity.tokenizer.sha256 } : null,
    datasetSha256: identity.datasetSha256,
    layers: [...identity.layers],
    modelDtype: identity.modelDtype,
    dtype: identity.dtype,
    seqLen: identity.seqLen,
    saveBase: identity.saveBase,
  };
  return `run-${(await sha256Hex(JSON.stringify(canonical))).slice(0, 16)}`;
}

/**
 * Activation runs in IndexedDB (idb-keyval): manifests in one database, shards and datasets in another.
 * Write order makes every state consistent: a shard's pieces first, then the manifest that lists it.
 */
export class ActivationStore {
  private constructor(
    private readonly manifests: UseStore,
    private readonly data: UseStore,
  ) {}

  /** Opens (creating on first use) the two databases `<dbName>-runs` and `<dbName>-shards`. */
  static open(dbName = 'deltascope'): ActivationStore {
    return new ActivationStore(createStore(`${dbName}-runs`, 'manifests'), createStore(`${dbName}-shards`, 'shards'));
  }

  async listRuns(): Promise<RunManifest[]> {
    const ids = (await keys(this.manifests)).filter((k): k is string => typeof k === 'string');
    const ms = await Promise.all(ids.map((id) => get<RunManifest>(id, this.manifests)));
    return ms.filter((m): m is RunManifest => m !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async getManifest(runId: string): Promise<RunManifest | undefined> {
    const m = await get<RunManifest>(runId, this.manifests);
    if (m && m.schemaVersion !== STORE_SCHEMA_VERSION) {
      throw new DeltascopeError('internal', `run ${runId} was stored with layout version ${m.schemaVersion}; this version reads ${STORE_SCHEMA_VERSION}. Delete it and extract again.`);
    }
    return m;
  }

  /** The manifest of `run` (throws when there is none). */
  async manifest(runId: string): Promise<RunManifest> {
    const m = await this.getManifest(runId);
    if (!m) throw new DeltascopeError('internal', `no stored run ${runId}`);
    return m;
  }

  /**
   * Creates the run, or returns the stored manifest when a run with the same identity exists (resume).
   * The dataset is written before the manifest, so a manifest always has its dataset.
   */
  async createRun(init: NewRun, dataset: StoredDataset): Promise<RunManifest> {
    const runId = await runIdFor(init);
    const existing = await this.getManifest(runId);
    if (existing) return existing;
    const n = init.numSequences * init.seqLen;
    if (dataset.ids.length !== n || dataset.kinds.length !== n) throw new Error(`createRun: dataset holds ${dataset.ids.length} ids for ${init.numSequences} × ${init.seqLen}`);
    const bytesPerSequence = init.seqLen * init.hidden * (init.dtype === 'f16' ? 2 : 4);
    const sequencesPerShard = Math.max(1, Math.min(init.numSequences, Math.floor(init.shardBytes / bytesPerSequence)));
    const now = new Date().toISOString();
    const { shardBytes: _, ...rest } = init;
    const manifest: RunManifest = {
      ...rest,
      schemaVersion: STORE_SCHEMA_VERSION,
      runId,
      createdAt: now,
      updatedAt: now,
      sequencesPerShard,
      numShards: Math.ceil(init.numSequences / sequencesPerShard),
      shards: [],
      stats: Object.fromEntries(
        init.layers.map((l): [string, LayerStats] => [String(l), { base: emptyMoments(init.hidden), delta: Object.fromEntries(init.adapters.map((a) => [a.name, emptyMoments(init.hidden)])) }]),
      ),
      complete: false,
    };
    await this.guardQuota(manifest, () => set(datasetKey(runId), dataset, this.data));
    await this.guardQuota(manifest, () => set(runId, manifest, this.manifests));
    return manifest;
  }

  async getDataset(runId: string): Promise<StoredDataset> {
    const d = await get<StoredDataset>(datasetKey(runId), this.data);
    if (!d) throw new DeltascopeError('internal', `run ${runId} has no stored dataset`);
    return d;
  }

  /** Sequences [start, end) of shard `index`. */
  shardRange(m: RunManifest, index: number): [number, number] {
    const start = index * m.sequencesPerShard;
    return [start, Math.min(m.numSequences, start + m.sequencesPerShard)];
  }

  /**
   * Stores every piece of shard `index` (which must be the next one), then records it (with its local-write
   * sums) and merges its statistics in the manifest. On a full disk the pieces are removed again and a QuotaError says how
   * much space the rest of the run needs; the manifest is unchanged, so the run resumes at this shard.
   */
  async writeShard(runId: string, index: number, pieces: readonly ShardPiece[], stats: ShardStats, localWrites?: readonly LocalWriteSum[]): Promise<RunManifest> {
    const m = await this.manifest(runId);
    if (index !== m.shards.length) throw new Error(`writeShard: run ${runId} expects shard ${m.shards.length}, got ${index}`);
    const [start, end] = this.shardRange(m, index);
    const expected = storedStreams(m, BASE_STREAM, ftStream).length * m.layers.length;
    if (pieces.length !== expected) throw new Error(`writeShard: ${pieces.length} pieces, run ${runId} stores ${expected} per shard`);
    const shape: [number, number, number] = [end - start, m.seqLen, m.hidden];
    let bytes = 0;
    const written: string[] = [];
    await this.guardQuota(m, async () => {
      try {
        for (const p of pieces) {
          if (p.data.length !== shape[0] * shape[1] * shape[2]) throw new Error(`writeShard: piece L${p.layer} ${p.stream} has ${p.data.length} values, expected [${shape.join(', ')}]`);
          const data: ArrayBuffer = m.dtype === 'f16' ? f32ToF16(p.data).buffer : new Float32Array(p.data).buffer;
          const key = shardKey(runId, p.layer, p.stream, index);
          written.push(key);
          await set(key, { dtype: m.dtype, shape, data } satisfies StoredPiece, this.data);
          bytes += data.byteLength;
        }
        const next: RunManifest = {
          ...m,
          updatedAt: new Date().toISOString(),
          shards: [...m.shards, { index, sequenceStart: start, sequenceEnd: end, bytes, ...(localWrites ? { localWrites: [...localWrites] } : {}) }],
          stats: mergeShardStats(m, stats),
          complete: index + 1 === m.numShards,
        };
        await set(runId, next, this.manifests);
      } catch (e) {
        if (isQuotaError(e)) await delMany(written, this.data).catch(() => undefined);
        throw e;
      }
    });
    return this.manifest(runId);
  }

  /** One stored piece as f32 [sequences, seqLen, hidden]. */
  async readPiece(runId: string, layer: number, stream: StreamName, index: number): Promise<Float32Array> {
    const p = await get<StoredPiece>(shardKey(runId, layer, stream, index), this.data);
    if (!p) throw new DeltascopeError('internal', `run ${runId}: shard ${index} of ${stream} at layer ${layer} is missing`);
    return p.dtype === 'f16' ? f16ToF32(new Uint16Array(p.data)) : new Float32Array(p.data);
  }

  /** A whole stored tensor, f32 [numSequences, seqLen, hidden]; the run must be complete. */
  async readTensor(runId: string, layer: number, stream: StreamName): Promise<Float32Array> {
    const m = await this.manifest(runId);
    if (!m.complete) throw new DeltascopeError('internal', `run ${runId} is not complete (${m.shards.length} of ${m.numShards} shards)`);
    const out = new Float32Array(m.numSequences * m.seqLen * m.hidden);
    for (const s of m.shards) out.set(await this.readPiece(runId, layer, stream, s.index), s.sequenceStart * m.seqLen * m.hidden);
    return out;
  }

  /** Removes a run: manifest first (so it stops being listed), then its dataset and every shard key it could have. */
  async deleteRun(runId: string): Promise<void> {
    const m = await get<RunManifest>(runId, this.manifests);
    await del(runId, this.manifests);
    if (!m) return;
    const streams = storedStreams(m, BASE_STREAM, ftStream);
    const ks: string[] = [datasetKey(runId)];
    for (const l of m.layers) for (const s of streams) for (let i = 0; i < m.numShards; i++) ks.push(shardKey(runId, l, s, i));
    await delMany(ks, this.data);
  }

  /** Runs `write`; a QuotaExceededError becomes a QuotaError naming the space the rest of the run needs. */
  private async guardQuota(m: RunManifest, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (!isQuotaError(e)) throw e;
      const stored = m.shards.reduce((a, s) => a + s.bytes, 0);
      const needed = Math.max(0, projectedBytes(m) - stored);
      const est = await storageEstimate();
      const free = est ? `; ${(Math.max(0, est.quota - est.usage) / MIB).toFixed(1)} MiB of ${(est.quota / MIB).toFixed(1)} MiB quota is free` : '';
      throw new QuotaError(
        needed,
        `Storage is full: run ${m.runId} needs about ${(needed / MIB).toFixed(1)} MiB more to finish (${m.shards.length} of ${m.numShards} shards are stored${free}). Delete old runs or allow this site more storage, then resume.`,
      );
    }
  }

  /** Checks free space for the rest of the run and asks for persistent storage; throws QuotaError when it cannot fit. */
  async checkSpace(m: RunManifest): Promise<{ persisted: boolean | null; freeBytes: number | null; neededBytes: number }> {
    const stored = m.shards.reduce((a, s) => a + s.bytes, 0);
    const neededBytes = Math.max(0, projectedBytes(m) - stored);
    const persisted = await requestPersistence();
    const est = await storageEstimate();
    const freeBytes = est ? Math.max(0, est.quota - est.usage) : null;
    if (freeBytes !== null && freeBytes < neededBytes) {
      throw new QuotaError(
        neededBytes,
        `Not enough storage: run ${m.runId} needs about ${(neededBytes / MIB).toFixed(1)} MiB, and ${(freeBytes / MIB).toFixed(1)} MiB is free. Delete old runs or allow this site more storage.`,
      );
    }
    return { persisted, freeBytes, neededBytes };
  }
}

function mergeShardStats(m: RunManifest, add: ShardStats): Record<string, LayerStats> {
  const out: Record<string, LayerStats> = {};
  for (const l of m.layers) {
    const cur = m.stats[String(l)];
    const a = add[l];
    if (!a) throw new Error(`writeShard: no statistics for layer ${l}`);
    const delta: Record<string, MomentStats> = {};
    for (const ad of m.adapters) {
      const d = a.delta[ad.name];
      if (!d) throw new Error(`writeShard: no statistics for adapter ${ad.name} at layer ${l}`);
      delta[ad.name] = mergeMoments(cur.delta[ad.name], d);
    }
    out[String(l)] = { base: a.base ? mergeMoments(cur.base, a.base) : cur.base, delta };
  }
  return out;
}
