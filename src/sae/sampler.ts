import { InputError } from '../errors/index.js';
import { Rng, seedFor } from './rng.js';

/**
 * Rows of training vectors, read by index. The activation store adapts its shards to this; a batch's
 * rows may come in any order the sampler asks for.
 */
export interface TrainingSource {
  /** Vector width. */
  dim: number;
  /** Number of rows. */
  count: number;
  /** Rows `indices` as one [indices.length, dim] f32 array, in the order asked. */
  readRows(indices: Int32Array): Promise<Float32Array>;
}

/** A TrainingSource over one in-memory [count, dim] array. */
export function arraySource(data: Float32Array, dim: number): TrainingSource {
  if (data.length % dim !== 0) throw new Error(`arraySource: ${data.length} values are not rows of ${dim}`);
  return {
    dim,
    count: data.length / dim,
    async readRows(indices) {
      const out = new Float32Array(indices.length * dim);
      for (let r = 0; r < indices.length; r++) out.set(data.subarray(indices[r] * dim, (indices[r] + 1) * dim), r * dim);
      return out;
    },
  };
}

/** Where a sampler stands; restoring it continues the same sequence of batches. */
export type SamplerState =
  | { kind: 'order'; step: number }
  | { kind: 'shuffle'; seed: number; epoch: number; cursor: number };

/**
 * Batches of row indices: an explicit order ([steps, batch] int32, as `train --order`) or seeded
 * shuffles of the allowed rows, epoch after epoch (epoch e's permutation depends only on seed and e).
 */
export class BatchSampler {
  private perm: Int32Array | null = null;
  private permEpoch = -1;

  private constructor(
    readonly batchSize: number,
    private readonly rows: Int32Array,
    private readonly order: Int32Array | null,
    private st: SamplerState,
  ) {}

  /** Fixed order: step t reads order[t·B … (t+1)·B). Indices are checked against `count` up front. */
  static fromOrder(order: Int32Array, batchSize: number, count: number, fileName = 'order', state?: SamplerState): BatchSampler {
    if (order.length % batchSize !== 0) throw new InputError(fileName, `${order.length} indices are not whole batches of ${batchSize}`);
    const bad = order.findIndex((i) => i < 0 || i >= count);
    if (bad >= 0) throw new InputError(fileName, `row index ${order[bad]} at position ${bad} is outside 0..${count - 1}`);
    return new BatchSampler(batchSize, new Int32Array(0), order, state ?? { kind: 'order', step: 0 });
  }

  /** Seeded shuffles of `rows` (the training rows: held-out and masked rows left out). */
  static shuffled(rows: Int32Array, batchSize: number, seed: number, state?: SamplerState): BatchSampler {
    if (rows.length === 0) throw new InputError('training data', 'no rows left to train on');
    return new BatchSampler(batchSize, rows, null, state ?? { kind: 'shuffle', seed, epoch: 0, cursor: 0 });
  }

  /** Number of batches an explicit order holds (Infinity for shuffles). */
  get steps(): number {
    return this.order ? this.order.length / this.batchSize : Infinity;
  }

  state(): SamplerState {
    return { ...this.st };
  }

  next(): Int32Array {
    const B = this.batchSize;
    if (this.st.kind === 'order') {
      const t = this.st.step;
      if (!this.order || (t + 1) * B > this.order.length) throw new InputError('order', `has ${this.steps} batches; step ${t} needs one more`);
      this.st = { kind: 'order', step: t + 1 };
      return this.order.slice(t * B, (t + 1) * B);
    }
    const out = new Int32Array(B);
    let { epoch, cursor } = this.st;
    for (let i = 0; i < B; i++) {
      if (cursor >= this.rows.length) {
        epoch++;
        cursor = 0;
      }
      if (!this.perm || this.permEpoch !== epoch) {
        this.perm = new Rng(seedFor(this.st.seed, epoch)).shuffle(Int32Array.from(this.rows));
        this.permEpoch = epoch;
      }
      out[i] = this.perm[cursor++];
    }
    this.st = { kind: 'shuffle', seed: this.st.seed, epoch, cursor };
    return out;
  }
}

/** Splits rows 0..count−1 (minus masked-out rows) into training and held-out rows, by a seeded shuffle. */
export function splitHeldOut(count: number, heldOutFraction: number, seed: number, rowMask?: Uint8Array): { train: Int32Array; heldOut: Int32Array } {
  const usable: number[] = [];
  for (let i = 0; i < count; i++) if (!rowMask || rowMask[i]) usable.push(i);
  const perm = new Rng(seedFor(seed, 0x5eed)).shuffle(Int32Array.from(usable));
  const n = Math.round(perm.length * heldOutFraction);
  return { heldOut: perm.slice(0, n).sort(), train: perm.slice(n).sort() };
}
