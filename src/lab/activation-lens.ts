import { DeltaMeans, lensLogitsGpu, lensVector, type LensReadout } from '../analysis/index.js';
import type { Gemma2Config, Lens, LensTokenRow, SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu } from '../gpu/index.js';
import type { ProgressCallback } from '../progress/index.js';
import type { ActivationStore } from '../store/index.js';

/** Tied embedding and final norm, by their Hugging Face names. */
const EMBED_TOKENS = 'model.embed_tokens.weight';
const FINAL_NORM = 'model.norm.weight';

export interface RunLensOptions {
  /** tokens each way (default 20) */
  top?: number;
  /** token id → string, for the readout's `token` fields */
  decode?: (id: number) => string;
  /** only these adapters (default: every adapter of the run) */
  adapters?: readonly string[];
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * The activation-difference lens of every (layer, adapter) of a stored run. The deltas are read shard by
 * shard into float64 means; all lens vectors then go through W_E in one streamed pass on the GPU, so the
 * embedding is read once whatever the number of adapters and layers.
 */
export async function runLens(gpu: Gpu, store: ActivationStore, runId: string, model: { checkpoint: SafetensorsCheckpoint; config: Gemma2Config }, options: RunLensOptions = {}): Promise<Lens[]> {
  const m = await store.manifest(runId);
  if (!m.complete) throw new Error(`run ${runId} is not complete; the lens needs every shard`);
  const { kinds } = await store.getDataset(runId);
  const g = await model.checkpoint.readF32(FINAL_NORM);
  const eps = model.config.rmsNormEps;
  const slots: { layer: number; adapter: string; means: ReturnType<DeltaMeans['means']> }[] = [];
  for (const layer of m.layers) {
    for (const { name: adapter } of m.adapters.filter((a) => !options.adapters || options.adapters.includes(a.name))) {
      const acc = new DeltaMeans(m.hidden);
      for (const s of m.shards) {
        acc.add(await store.readPiece(runId, layer, adapter, s.index), kinds.subarray(s.sequenceStart * m.seqLen, s.sequenceEnd * m.seqLen), m.seqLen);
      }
      slots.push({ layer, adapter, means: acc.means() });
    }
  }
  const vectors = slots.flatMap((s) => [s.means.all, ...s.means.positions.map((p) => p.mean)].map((d) => lensVector(d, g, eps)));
  const embedding = { rows: model.config.vocabSize, cols: model.config.hiddenSize, read: (start: number, count: number) => model.checkpoint.readRows(EMBED_TOKENS, start, count) };
  const readouts = await lensLogitsGpu(gpu, vectors, embedding, { top: options.top, signal: options.signal, onProgress: options.onProgress });
  const named = (r: LensReadout): Pick<Lens, 'promoted' | 'suppressed'> => {
    const withToken = (t: { id: number; z: number }): LensTokenRow => ({ id: t.id, token: options.decode ? options.decode(t.id) : null, z: t.z });
    return { promoted: r.promoted.map(withToken), suppressed: r.suppressed.map(withToken) };
  };
  let next = 0;
  return slots.map((s) => ({
    layer: s.layer,
    adapter: s.adapter,
    tokens: s.means.tokens,
    ...named(readouts[next++]),
    positions: s.means.positions.map((p, position) => ({ position, tokens: p.tokens, ...named(readouts[next++]) })),
  }));
}
