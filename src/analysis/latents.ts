/**
 * Delta-feature dashboards: per latent of a delta SAE, its top-activating contexts, firing frequency,
 * activation histogram and share of the delta's variance, accumulated over every stored text token. This
 * file holds the CPU folds over activations that the GPU encoder (gpu/sae-acts.ts) reads back, one group
 * of whole sequences at a time (a context window never leaves its sequence).
 */

/** Token kinds as the activation store writes them (src/store's TOKEN_KIND; the layer rule keeps the copy here). */
const TEXT_KIND = 0;

/** How many contexts each latent keeps, and the window of tokens around each: before, the token, after. */
export const LATENT_CONTEXTS = 8;
export const CONTEXT_BEFORE = 8;
export const CONTEXT_AFTER = 4;
/** Bins of each latent's histogram of positive activations, equal width over [0, its maximum]. */
export const LATENT_HISTOGRAM_BINS = 24;

/** One top-activating token of a latent and the latent's activations on the window around it. */
export interface LatentContext {
  sequence: number;
  position: number;
  activation: number;
  /** first position of the window (within the sequence) */
  start: number;
  /** the latent's activation on positions start … start + acts.length − 1 (0 on BOS and padding, which are not encoded) */
  acts: number[];
}

/** A group of whole sequences with the SAE's activations on each of their tokens. */
export interface ActsBlock {
  /** index of the group's first sequence in the run */
  sequenceStart: number;
  seqLen: number;
  /** [sequences, seqLen] token kinds */
  kinds: Uint8Array;
  /** [sequences · seqLen, m] activations (rows that are not text tokens are ignored) */
  acts: Float32Array;
  /** per row: the factor that maps the SAE's normalised input back to the delta (1 without normalisation) */
  scale: ArrayLike<number>;
  /** [sequences · seqLen, d] the deltas themselves (for Σ‖x‖²) */
  x: Float32Array;
}

/** What one pass over all text tokens gives per latent. */
export interface LatentScanResult {
  tokens: number;
  /** share of text tokens where the latent is non-zero */
  frequency: Float64Array;
  /**
   * Σ_t ‖a_i(t)·s_t·W_dec[i]‖² / Σ_t ‖x_t‖² over text tokens t, with s_t the map back from the SAE's input
   * normalisation: the share of the delta's (uncentred) energy that latent i's part of the reconstruction
   * carries on its own. Shares need not sum to 1 (the parts are not orthogonal, and the SAE is not exact).
   */
  varianceShare: Float64Array;
  /** largest activation (0 if it never fires) */
  maxActivation: Float64Array;
  /** top contexts, largest activation first (ties: earlier sequence, then earlier position) */
  contexts: LatentContext[][];
}

/** Orders contexts: larger activation first, then earlier (sequence, position). */
function before(a: { activation: number; sequence: number; position: number }, b: { activation: number; sequence: number; position: number }): boolean {
  return a.activation > b.activation || (a.activation === b.activation && (a.sequence < b.sequence || (a.sequence === b.sequence && a.position < b.position)));
}

/** Pass 1: frequency, variance share, maximum and top contexts of every latent. */
export class LatentScan {
  private tokens = 0;
  private energy = 0;
  private readonly fires: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly max: Float64Array;
  private readonly top: LatentContext[][];
  private readonly decoderSq: Float64Array;

  /** @param wDec [m, d] the SAE's decoder */
  constructor(
    readonly m: number,
    readonly d: number,
    wDec: ArrayLike<number>,
    readonly contexts = LATENT_CONTEXTS,
  ) {
    if (wDec.length !== m * d) throw new Error(`LatentScan: decoder has ${wDec.length} values, expected ${m} × ${d}`);
    this.fires = new Float64Array(m);
    this.sumSq = new Float64Array(m);
    this.max = new Float64Array(m);
    this.top = Array.from({ length: m }, () => []);
    this.decoderSq = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) this.decoderSq[i] += wDec[i * d + j] ** 2;
  }

  add(b: ActsBlock): void {
    const { m, d } = this;
    const sequences = b.kinds.length / b.seqLen;
    if (!Number.isInteger(sequences) || b.acts.length !== b.kinds.length * m || b.x.length !== b.kinds.length * d) {
      throw new Error(`LatentScan.add: ${b.acts.length} activations and ${b.x.length} inputs do not match ${b.kinds.length} tokens (m ${m}, d ${d})`);
    }
    for (let t = 0; t < b.kinds.length; t++) {
      if (b.kinds[t] !== TEXT_KIND) continue;
      this.tokens++;
      for (let j = 0; j < d; j++) this.energy += b.x[t * d + j] ** 2;
      const s = b.scale[t];
      const sequence = b.sequenceStart + Math.floor(t / b.seqLen);
      const position = t % b.seqLen;
      for (let i = 0; i < m; i++) {
        const a = b.acts[t * m + i];
        if (a === 0) continue;
        this.fires[i]++;
        this.sumSq[i] += (a * s) ** 2;
        if (a > this.max[i]) this.max[i] = a;
        if (a > 0) this.offer(i, { sequence, position, activation: a }, b, t - position);
      }
    }
  }

  private offer(i: number, c: { sequence: number; position: number; activation: number }, b: ActsBlock, rowOfSequence: number): void {
    const list = this.top[i];
    if (list.length === this.contexts && !before(c, list[list.length - 1])) return;
    const start = Math.max(0, c.position - CONTEXT_BEFORE);
    const end = Math.min(b.seqLen, c.position + CONTEXT_AFTER + 1);
    const acts: number[] = [];
    for (let p = start; p < end; p++) acts.push(b.kinds[rowOfSequence + p] === TEXT_KIND ? b.acts[(rowOfSequence + p) * this.m + i] : 0);
    let k = list.length;
    while (k > 0 && before(c, list[k - 1])) k--;
    list.splice(k, 0, { ...c, start, acts });
    if (list.length > this.contexts) list.pop();
  }

  result(): LatentScanResult {
    const n = this.tokens;
    return {
      tokens: n,
      frequency: this.fires.map((f) => (n > 0 ? f / n : 0)),
      varianceShare: this.sumSq.map((s, i) => (this.energy > 0 ? (s * this.decoderSq[i]) / this.energy : 0)),
      maxActivation: Float64Array.from(this.max),
      contexts: this.top.map((l) => l.map((c) => ({ ...c, acts: [...c.acts] }))),
    };
  }
}

/**
 * Pass 2: histograms of the positive activations of chosen latents, LATENT_HISTOGRAM_BINS equal bins over
 * [0, max] (the maximum from pass 1; it falls in the last bin).
 */
export class LatentHistograms {
  readonly counts: Int32Array[];

  constructor(
    readonly m: number,
    readonly latents: readonly number[],
    readonly maxima: readonly number[],
    readonly bins = LATENT_HISTOGRAM_BINS,
  ) {
    this.counts = latents.map(() => new Int32Array(bins));
  }

  add(b: ActsBlock): void {
    for (let t = 0; t < b.kinds.length; t++) {
      if (b.kinds[t] !== TEXT_KIND) continue;
      for (let k = 0; k < this.latents.length; k++) {
        const a = b.acts[t * this.m + this.latents[k]];
        if (a > 0) this.counts[k][histogramBin(a, this.maxima[k], this.bins)]++;
      }
    }
  }

  /** Edges and counts of the k-th chosen latent. */
  histogram(k: number): { edges: number[]; counts: number[] } {
    const max = this.maxima[k];
    return { edges: Array.from({ length: this.bins + 1 }, (_, e) => (max * e) / this.bins), counts: Array.from(this.counts[k]) };
  }
}

/** Bin of a positive value among `bins` equal bins over [0, max]; max itself goes in the last. */
export function histogramBin(a: number, max: number, bins: number): number {
  return max > 0 ? Math.min(bins - 1, Math.floor((a / max) * bins)) : 0;
}

/** Indices of the `count` latents with the largest variance share (ties: lower index first). */
export function topLatentsByShare(share: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: share.length }, (_, i) => i)
    .sort((a, b) => share[b] - share[a] || a - b)
    .slice(0, count);
}
