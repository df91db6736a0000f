/**
 * The activation-difference lens (Minder et al. 2025): the mean delta of a layer, put through the final
 * norm and read out through the tied embedding, says which tokens the fine-tune pushes the stream
 * towards. This file holds the CPU parts (means over text tokens, the normalised vector, top-k
 * selection); the product with W_E runs on the GPU (gpu/lens-logits.ts).
 */

/** Token kinds as the activation store writes them (src/store's TOKEN_KIND; the layer rule keeps the copy here). */
const TEXT_KIND = 0;

/** Leading text positions the per-position lens reports (the paper reads the first few after BOS). */
export const LENS_POSITIONS = 8;

/** One token of a lens readout. */
export interface LensToken {
  id: number;
  z: number;
}

/** The `top` largest (promoted) and smallest (suppressed) z of one readout, most extreme first. */
export interface LensReadout {
  promoted: LensToken[];
  suppressed: LensToken[];
}

/**
 * Float64 sums of a layer's delta over text tokens (neither BOS nor padding): over all of them, and per
 * leading text position (the i-th text token of each sequence, i < positions). Fed shard by shard, so a
 * run never has to sit in memory whole.
 */
export class DeltaMeans {
  private readonly sum: Float64Array;
  private count = 0;
  private readonly positionSums: Float64Array[];
  private readonly positionCounts: number[];

  constructor(
    readonly hidden: number,
    readonly positions = LENS_POSITIONS,
  ) {
    this.sum = new Float64Array(hidden);
    this.positionSums = Array.from({ length: positions }, () => new Float64Array(hidden));
    this.positionCounts = new Array<number>(positions).fill(0);
  }

  /**
   * @param delta [sequences, seqLen, hidden] f32
   * @param kinds [sequences, seqLen] token kinds of the same sequences
   */
  add(delta: Float32Array, kinds: Uint8Array, seqLen: number): void {
    const h = this.hidden;
    if (kinds.length % seqLen !== 0 || delta.length !== kinds.length * h) {
      throw new Error(`DeltaMeans.add: ${delta.length} values do not match ${kinds.length} positions of width ${h}`);
    }
    for (let s = 0; s < kinds.length / seqLen; s++) {
      let textIndex = 0;
      for (let p = 0; p < seqLen; p++) {
        const t = s * seqLen + p;
        if (kinds[t] !== TEXT_KIND) continue;
        const row = delta.subarray(t * h, (t + 1) * h);
        for (let c = 0; c < h; c++) this.sum[c] += row[c];
        this.count++;
        if (textIndex < this.positions) {
          const ps = this.positionSums[textIndex];
          for (let c = 0; c < h; c++) ps[c] += row[c];
          this.positionCounts[textIndex]++;
        }
        textIndex++;
      }
    }
  }

  /** Mean over every text token, then one mean per leading position that some sequence has. */
  means(): { all: Float64Array; tokens: number; positions: { mean: Float64Array; tokens: number }[] } {
    if (this.count === 0) throw new Error('the activation-difference lens needs at least one text token (every position is BOS or padding)');
    const div = (s: Float64Array, n: number) => s.map((v) => v / n);
    const positions = [];
    for (let i = 0; i < this.positions && this.positionCounts[i] > 0; i++) positions.push({ mean: div(this.positionSums[i], this.positionCounts[i]), tokens: this.positionCounts[i] });
    return { all: div(this.sum, this.count), tokens: this.count, positions };
  }
}

/**
 * The vector the lens reads out: (1 + g) ⊙ d̄ / √(mean(d̄²) + ε), i.e. d̄ through the model's final
 * RMSNorm (unit offset). The final soft-cap is left out: it is monotonic, so the order does not change.
 */
export function lensVector(meanDelta: ArrayLike<number>, normWeight: ArrayLike<number>, eps: number): Float64Array {
  const h = meanDelta.length;
  if (normWeight.length !== h) throw new Error(`lensVector: final norm has ${normWeight.length} weights for a ${h}-wide delta`);
  let ms = 0;
  for (let i = 0; i < h; i++) ms += meanDelta[i] * meanDelta[i];
  const inv = 1 / Math.sqrt(ms / h + eps);
  const v = new Float64Array(h);
  for (let i = 0; i < h; i++) v[i] = (1 + normWeight[i]) * meanDelta[i] * inv;
  return v;
}

/**
 * The k largest and k smallest values seen over a stream of chunks of one row of z, with their ids.
 * Ties keep the smaller id first, so the order is deterministic.
 */
export class TopTokens {
  private readonly high: LensToken[] = [];
  private readonly low: LensToken[] = [];

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`top must be a positive integer, got ${k}`);
  }

  /** values[i] is z of token idOffset + i. */
  push(values: ArrayLike<number>, idOffset: number): void {
    for (let i = 0; i < values.length; i++) {
      const z = values[i];
      if (this.high.length < this.k || z > this.high[this.high.length - 1].z) insert(this.high, { id: idOffset + i, z }, this.k, (a, b) => a.z > b.z || (a.z === b.z && a.id < b.id));
      if (this.low.length < this.k || z < this.low[this.low.length - 1].z) insert(this.low, { id: idOffset + i, z }, this.k, (a, b) => a.z < b.z || (a.z === b.z && a.id < b.id));
    }
  }

  readout(): LensReadout {
    return { promoted: this.high.map((t) => ({ ...t })), suppressed: this.low.map((t) => ({ ...t })) };
  }
}

/** Inserts into a list kept sorted by `before`, capped at k entries. */
function insert(list: LensToken[], t: LensToken, k: number, before: (a: LensToken, b: LensToken) => boolean): void {
  let i = list.length;
  while (i > 0 && before(t, list[i - 1])) i--;
  if (i >= k) return;
  list.splice(i, 0, t);
  if (list.length > k) list.pop();
}
