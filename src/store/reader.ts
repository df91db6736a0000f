import type { ActivationStore, StoredDataset } from './activation-store.js';
import type { StreamName } from './keys.js';
import type { RunManifest } from './manifest.js';
import { seededRandom, shuffleInPlace } from './random.js';
import { TOKEN_KIND } from './token-kind.js';

/** Which sequences a reader draws from. */
export type Split = 'train' | 'heldout' | 'all';

export interface ShuffleOptions {
  split: Split;
  /** Rows per yielded batch. */
  batchSize: number;
  seed: number;
  /** Shards mixed together in the shuffle buffer (more = better mixing, more memory). */
  shardsInBuffer?: number;
  /** Drop the last, smaller batch of the pass. */
  dropLast?: boolean;
}

/**
 * Reads one stored stream (a layer's deltas of one adapter, or base activations) row by row, for SAE
 * training and evaluation. A row is one token position, numbered `sequence · seqLen + position`.
 */
export class StoredActivations {
  private cache = new Map<number, Float32Array>();

  private constructor(
    private readonly store: ActivationStore,
    readonly manifest: RunManifest,
    readonly dataset: StoredDataset,
    readonly layer: number,
    readonly stream: StreamName,
    private readonly cacheShards: number,
  ) {}

  static async open(store: ActivationStore, runId: string, layer: number, stream: StreamName, cacheShards = 4): Promise<StoredActivations> {
    const m = await store.manifest(runId);
    if (!m.layers.includes(layer)) throw new Error(`run ${runId} stores layers ${m.layers.join(', ')}, not ${layer}`);
    return new StoredActivations(store, m, await store.getDataset(runId), layer, stream, cacheShards);
  }

  get hidden(): number {
    return this.manifest.hidden;
  }

  /** Text-token rows (no BOS, no padding) of the split, in storage order, within the completed shards. */
  tokenRows(split: Split): Uint32Array {
    const { seqLen } = this.manifest;
    const held = new Set(this.dataset.heldOut);
    const doneSeq = this.manifest.shards.length ? this.manifest.shards[this.manifest.shards.length - 1].sequenceEnd : 0;
    const out: number[] = [];
    for (let s = 0; s < doneSeq; s++) {
      if (split !== 'all' && held.has(s) !== (split === 'heldout')) continue;
      for (let p = 0; p < seqLen; p++) if (this.dataset.kinds[s * seqLen + p] === TOKEN_KIND.text) out.push(s * seqLen + p);
    }
    return Uint32Array.from(out);
  }

  private async shard(index: number): Promise<Float32Array> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const data = await this.store.readPiece(this.manifest.runId, this.layer, this.stream, index);
    this.cache.set(index, data);
    while (this.cache.size > this.cacheShards) this.cache.delete(this.cache.keys().next().value as number);
    return data;
  }

  /** Rows by number, f32 [rows.length, hidden], in the order asked. */
  async rows(rows: ArrayLike<number>): Promise<Float32Array> {
    const { seqLen, hidden, sequencesPerShard } = this.manifest;
    const out = new Float32Array(rows.length * hidden);
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < rows.length; i++) {
      const shard = Math.floor(Math.floor(rows[i] / seqLen) / sequencesPerShard);
      if (shard >= this.manifest.shards.length) throw new RangeError(`row ${rows[i]} lies beyond the ${this.manifest.shards.length} stored shards`);
      const list = byShard.get(shard) ?? [];
      list.push(i);
      byShard.set(shard, list);
    }
    for (const [shard, idx] of byShard) {
      const data = await this.shard(shard);
      const first = shard * sequencesPerShard * seqLen;
      for (const i of idx) {
        const off = (rows[i] - first) * hidden;
        out.set(data.subarray(off, off + hidden), i * hidden);
      }
    }
    return out;
  }

  /**
   * One seeded pass over the split's text rows: shards in shuffled order, `shardsInBuffer` at a time
   * pooled and shuffled, yielded as f32 [batch, hidden]. Call again with another seed for another epoch.
   */
  async *shuffled(o: ShuffleOptions): AsyncGenerator<Float32Array> {
    const { seqLen, hidden, sequencesPerShard } = this.manifest;
    const random = seededRandom(o.seed);
    const rows = this.tokenRows(o.split);
    const perShard = new Map<number, number[]>();
    for (const r of rows) {
      const s = Math.floor(Math.floor(r / seqLen) / sequencesPerShard);
      const list = perShard.get(s) ?? [];
      list.push(r);
      perShard.set(s, list);
    }
    const order = shuffleInPlace([...perShard.keys()], random);
    const k = Math.max(1, o.shardsInBuffer ?? 4);
    let pending = new Float32Array(0);
    for (let g = 0; g < order.length; g += k) {
      const group = order.slice(g, g + k).flatMap((s) => perShard.get(s) ?? []);
      const fresh = await this.rows(group);
      const pool = new Float32Array(pending.length + fresh.length);
      pool.set(pending);
      pool.set(fresh, pending.length);
      const n = pool.length / hidden;
      const perm = shuffleInPlace(Uint32Array.from({ length: n }, (_, i) => i), random);
      const whole = Math.floor(n / o.batchSize) * o.batchSize;
      for (let b = 0; b < whole; b += o.batchSize) {
        const batch = new Float32Array(o.batchSize * hidden);
        for (let j = 0; j < o.batchSize; j++) batch.set(pool.subarray(perm[b + j] * hidden, (perm[b + j] + 1) * hidden), j * hidden);
        yield batch;
      }
      pending = new Float32Array((n - whole) * hidden);
      for (let j = whole; j < n; j++) pending.set(pool.subarray(perm[j] * hidden, (perm[j] + 1) * hidden), (j - whole) * hidden);
    }
    if (pending.length > 0 && !o.dropLast) yield pending;
  }
}
