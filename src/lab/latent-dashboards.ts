import { latentScanGpu, lensLogitsGpu, lensVector, type LatentScanGpuResult, type LensReadout, type SaeDictionary } from '../analysis/index.js';
import type { Alignment, Gemma2Config, LatentLabel, LatentSet, LensTokenRow, SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu } from '../gpu/index.js';
import type { Progress, ProgressCallback } from '../progress/index.js';
import type { ActivationStore } from '../store/index.js';

/** Tied embedding and final norm, by their Hugging Face names (as the activation-difference lens). */
const EMBED_TOKENS = 'model.embed_tokens.weight';
const FINAL_NORM = 'model.norm.weight';

/** Full dashboards per SAE: the latents with the largest variance share (bounds the bundle: ~48 × 8 windows). */
export const LATENT_DASHBOARDS = 48;
/** Tokens each way of a latent's logit effect. */
export const LOGIT_EFFECT_TOP = 10;

/** One delta SAE to describe, with what the evaluate stage already knows of it. */
export interface LatentSae {
  layer: number;
  adapter: string;
  sae: SaeDictionary;
  /** per delta latent: best decoder cosine with the pretrained dictionary and the first latent attaining it */
  nearest: { maxCos: ArrayLike<number>; argmax: ArrayLike<number> } | null;
  alignment: Alignment | null;
}

export interface LatentDashboardOptions {
  decode?: (id: number) => string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * The label thresholds of one (layer, adapter), from its alignment controls: a latent is 'new' when its
 * nearest-pretrained cosine is below the upper end of the random-LoRA null's interval (the 95% bootstrap
 * interval of that null's mean max cosine; its mean when there is no interval), 'shared' when it is at
 * least the lower end of the seed-to-seed ceiling's interval (its mean likewise), else 'between'. 'new' is
 * tested first, so it wins if the two overlap. Null unless both controls were measured.
 */
export function latentThresholds(a: Alignment | null): LatentSet['thresholds'] {
  if (!a?.randomLora || !a.ceiling) return null;
  return { newBelow: a.randomLora.interval?.[1] ?? a.randomLora.meanMaxCos, sharedAtLeast: a.ceiling.interval?.[0] ?? a.ceiling.meanMaxCos };
}

export function latentLabel(cosine: number | null, t: LatentSet['thresholds']): LatentLabel | null {
  if (cosine === null || !t) return null;
  if (cosine < t.newBelow) return 'new';
  return cosine >= t.sharedAtLeast ? 'shared' : 'between';
}

/**
 * Delta-feature dashboards of each given SAE over every stored delta of its (layer, adapter): per-latent
 * frequency, variance share, nearest pretrained latent and label, and for the LATENT_DASHBOARDS latents that
 * explain most of the delta, top contexts, a histogram and the logit effect of the decoder row, read as the
 * lens reads a mean delta: z = W_E · ((1 + g) ⊙ v / rms(v)) with v = W_dec[i], W_E streamed once for all.
 */
export async function runLatentDashboards(
  gpu: Gpu,
  store: ActivationStore,
  runId: string,
  model: { checkpoint: SafetensorsCheckpoint; config: Gemma2Config },
  saes: readonly LatentSae[],
  options: LatentDashboardOptions = {},
): Promise<LatentSet[]> {
  if (saes.length === 0) return [];
  const m = await store.manifest(runId);
  if (!m.complete) throw new Error(`run ${runId} is not complete; the dashboards need every shard`);
  const { ids, kinds } = await store.getDataset(runId);
  const scans: LatentScanGpuResult[] = [];
  for (const [k, s] of saes.entries()) {
    // one progress bar over all SAEs (every SAE scans the same tokens twice, so each is an equal share)
    const onProgress = options.onProgress && ((p: Progress) => {
      const done = k * p.total + p.done;
      const total = saes.length * p.total;
      options.onProgress!({ ...p, done, total, etaSeconds: p.perSecond > 0 ? (total - done) / p.perSecond : null });
    });
    const pieces = m.shards.map((sh) => ({
      sequenceStart: sh.sequenceStart,
      sequences: sh.sequenceEnd - sh.sequenceStart,
      read: async () => ({ x: await store.readPiece(runId, s.layer, s.adapter, sh.index), kinds: kinds.subarray(sh.sequenceStart * m.seqLen, sh.sequenceEnd * m.seqLen) }),
    }));
    scans.push(await latentScanGpu(gpu, s.sae, { seqLen: m.seqLen, pieces }, { dashboards: LATENT_DASHBOARDS, signal: options.signal, onProgress }));
  }
  const g = await model.checkpoint.readF32(FINAL_NORM);
  const eps = model.config.rmsNormEps;
  const vectors = saes.flatMap((s, k) => scans[k].dashboards.map(({ index }) => lensVector(s.sae.W_dec.subarray(index * s.sae.dIn, (index + 1) * s.sae.dIn), g, eps)));
  const embedding = { rows: model.config.vocabSize, cols: model.config.hiddenSize, read: (start: number, count: number) => model.checkpoint.readRows(EMBED_TOKENS, start, count) };
  const readouts = await lensLogitsGpu(gpu, vectors, embedding, { top: LOGIT_EFFECT_TOP, signal: options.signal, onProgress: options.onProgress });
  const decode = options.decode;
  const named = (r: LensReadout) => {
    const withToken = (t: { id: number; z: number }): LensTokenRow => ({ id: t.id, token: decode ? decode(t.id) : null, z: t.z });
    return { promoted: r.promoted.map(withToken), suppressed: r.suppressed.map(withToken) };
  };
  let next = 0;
  return saes.map((s, k): LatentSet => {
    const scan = scans[k];
    const width = s.sae.dSae;
    const thresholds = s.nearest ? latentThresholds(s.alignment) : null;
    const cosine = Array.from({ length: width }, (_, i) => (s.nearest ? s.nearest.maxCos[i] : null));
    return {
      layer: s.layer,
      adapter: s.adapter,
      width,
      tokens: scan.tokens,
      thresholds,
      frequency: Array.from(scan.frequency),
      varianceShare: Array.from(scan.varianceShare),
      nearest: Array.from({ length: width }, (_, i) => (s.nearest ? s.nearest.argmax[i] : null)),
      cosine,
      label: cosine.map((c) => latentLabel(c, thresholds)),
      dashboards: scan.dashboards.map(({ index, histogram }) => ({
        index,
        maxActivation: scan.maxActivation[index],
        contexts: scan.contexts[index].map((c) => {
          const windowIds = Array.from(ids.subarray(c.sequence * m.seqLen + c.start, c.sequence * m.seqLen + c.start + c.acts.length));
          return { sequence: c.sequence, position: c.position, activation: c.activation, start: c.start, ids: windowIds, tokens: decode ? windowIds.map(decode) : null, acts: c.acts };
        }),
        histogram: { ...histogram, scale: 'linear' as const },
        ...named(readouts[next++]),
      })),
    };
  });
}
