import { InputError } from '../errors/index.js';
import type { Gemma2Config, SafetensorsCheckpoint } from '../formats/index.js';
import { EMBED_TOKENS } from './weight-names.js';

/** Tables up to this size are read once and kept; larger ones (256000 × 3584 for Gemma-2 9B) are read per batch. */
const CACHE_BYTES = 64 << 20;
/** Ids at most this far apart are read as one range (fewer HTTP Range requests for a URL model). */
const MAX_GAP_ROWS = 16;

/**
 * Embedding lookup on the CPU side. Real Gemma-2 embeddings (256000 rows) exceed the storage-binding limit
 * of most GPUs, and a batch needs only a few thousand rows, so we read just those rows from the safetensors
 * (coalesced into runs of neighbouring ids) and upload the batch's embeddings, scaled by √hidden.
 */
export class Embedder {
  private table: Float32Array | null = null;
  private readonly scale: number;

  constructor(
    private readonly model: SafetensorsCheckpoint,
    private readonly config: Gemma2Config,
    private readonly cacheBytes = CACHE_BYTES,
  ) {
    // HF/gemma_pytorch multiply by sqrt(hidden) as an f32 constant
    this.scale = Math.fround(Math.sqrt(config.hiddenSize));
  }

  /** @returns [ids.length, hidden] f32 = embed_tokens[ids] · √hidden */
  async gather(ids: Int32Array, fileName = 'tokens'): Promise<Float32Array> {
    const { vocabSize: vocab, hiddenSize: h } = this.config;
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] < vocab)) throw new InputError(fileName, `token id ${ids[i]} at index ${i} is outside the vocabulary [0, ${vocab})`);
    }
    const rows = new Map<number, Float32Array>();
    if (vocab * h * 4 <= this.cacheBytes) {
      this.table ??= await this.model.readF32(EMBED_TOKENS);
      for (const id of ids) rows.set(id, this.table.subarray(id * h, (id + 1) * h));
    } else {
      const unique = [...new Set(ids)].sort((a, b) => a - b);
      for (let i = 0; i < unique.length; ) {
        let j = i;
        while (j + 1 < unique.length && unique[j + 1] - unique[j] <= MAX_GAP_ROWS) j++;
        const block = await this.model.readRows(EMBED_TOKENS, unique[i], unique[j] - unique[i] + 1);
        for (let u = i; u <= j; u++) rows.set(unique[u], block.subarray((unique[u] - unique[i]) * h, (unique[u] - unique[i] + 1) * h));
        i = j + 1;
      }
    }
    const out = new Float32Array(ids.length * h);
    for (let t = 0; t < ids.length; t++) {
      const row = rows.get(ids[t])!;
      for (let c = 0; c < h; c++) out[t * h + c] = Math.fround(row[c] * this.scale);
    }
    return out;
  }
}
