import { z } from 'zod';

/**
 * What a result bundle holds, as zod schemas: the manifest and the reduced metrics every panel draws.
 * Everything here is small (series, pre-binned histograms, matrices of layer × adapter), never tensors.
 * Strings are bounded so a hostile bundle cannot smuggle in megabytes of text.
 */

export const BUNDLE_FORMAT = 'deltascope-bundle';
/**
 * 2 added the activation-difference lens (`metrics.lens`); version-1 bundles read with an empty lens.
 * 3 added dose-response (`metrics.dose`), local LoRA writes (`metrics.localWrites`), the across-adapter matrices
 *   (`metrics.acrossAdapters`) and delta-feature dashboards (`metrics.latents`); older bundles read with all four empty.
 */
export const BUNDLE_VERSION = 3;

const num = z.number();
const name = z.string().min(1).max(200);
const layer = z.number().int().min(0).max(1023);
const count = z.number().int().min(0);

/** Pre-binned histogram: `counts[i]` values fell in `[edges[i], edges[i+1])`; `scale` says how to draw x. */
export const HistogramSchema = z
  .object({
    edges: z.array(num).min(2).max(10_001),
    counts: z.array(count).max(10_000),
    scale: z.enum(['linear', 'log10']),
    /** The first bin counts latents that never fire (log10 density has no bin for 0). */
    firstBinDead: z.boolean().optional(),
  })
  .refine((h) => h.edges.length === h.counts.length + 1, { message: 'edges must have one more entry than counts' });
export type Histogram = z.infer<typeof HistogramSchema>;

export const AdapterSummarySchema = z.object({
  name,
  rank: count,
  alpha: num,
  targets: z.array(name).max(64),
  layers: z.array(layer).max(1024),
  modules: count,
});
export type AdapterSummary = z.infer<typeof AdapterSummarySchema>;

export const ModelSummarySchema = z.object({
  name,
  hiddenSize: count,
  numLayers: count,
  vocabSize: count,
  precision: z.enum(['f32', 'f16', 'q8', 'q4']),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

/** Mean per-token ‖delta‖ and ‖base resid_post‖ at one (layer, adapter), BOS excluded. */
export const DeltaNormSchema = z.object({ layer, adapter: name, meanDeltaNorm: num, meanBaseNorm: num, tokens: count });
export type DeltaNorm = z.infer<typeof DeltaNormSchema>;

/** One training run of a delta SAE; `points` every logged step, `heldOut` every evaluation. */
export const TrainingCurveSchema = z.object({
  layer,
  adapter: name,
  seed: z.number().int(),
  points: z.array(z.object({ step: count, loss: num, mse: num, l0: num })).max(100_000),
  heldOut: z.array(z.object({ step: count, fvu: num })).max(100_000),
});
export type TrainingCurve = z.infer<typeof TrainingCurveSchema>;

/** How well one SAE reconstructs held-out deltas (definitions: fixtures README §5). */
export const SaeEvalSchema = z.object({
  mse: num,
  fvu: num,
  nmseUncentered: num,
  meanL0: num,
  nDead: count,
  width: count,
  density: HistogramSchema,
  fvuInterval: z.tuple([num, num]).nullable(),
});
export type SaeEval = z.infer<typeof SaeEvalSchema>;

/**
 * Held-out reconstruction at one (layer, adapter): the delta SAE on the deltas; the pretrained SAE on the
 * deltas directly; and the pretrained SAE as the difference of its reconstructions, SAE(ft) − SAE(base).
 */
export const ReconstructionSchema = z.object({
  layer,
  adapter: name,
  deltaSae: SaeEvalSchema,
  pretrainedDirect: SaeEvalSchema.nullable(),
  pretrainedDiff: SaeEvalSchema.nullable(),
});
export type Reconstruction = z.infer<typeof ReconstructionSchema>;

/** Max-cosine distribution of one dictionary against another, reduced. */
export const CosineSummarySchema = z.object({
  meanMaxCos: num,
  interval: z.tuple([num, num]).nullable(),
  fracAbove: z.object({ '0.5': num, '0.7': num, '0.9': num }),
  histogram: HistogramSchema,
});
export type CosineSummary = z.infer<typeof CosineSummarySchema>;

/**
 * Delta-SAE decoder vs the pretrained decoder at one (layer, adapter), with its controls: ceiling = a second
 * delta SAE (other seed) against the first; floor = random unit directions; randomLora = a norm-matched random
 * LoRA's delta SAE against the pretrained decoder.
 */
export const AlignmentSchema = z.object({
  layer,
  adapter: name,
  observed: CosineSummarySchema,
  ceiling: CosineSummarySchema.nullable(),
  floor: CosineSummarySchema.nullable(),
  randomLora: CosineSummarySchema.nullable(),
});
export type Alignment = z.infer<typeof AlignmentSchema>;

/** Principal angles (ascending radians) between top-k decoder subspaces, with the random-subspace floor. */
export const PrincipalAnglesSchema = z.object({
  layer,
  adapter: name,
  k: z.number().int().min(1).max(4096),
  angles: z.array(num).max(4096),
  floor: z.array(num).max(4096).nullable(),
});
export type PrincipalAngles = z.infer<typeof PrincipalAnglesSchema>;

/** Linear CKA between the delta representations of every pair of adapters at one layer. */
export const CkaSchema = z
  .object({ layer, labels: z.array(name).min(1).max(64), matrix: z.array(z.array(num).max(64)).max(64) })
  .refine((c) => c.matrix.length === c.labels.length && c.matrix.every((r) => r.length === c.labels.length), {
    message: 'matrix must be labels × labels',
  });
export type Cka = z.infer<typeof CkaSchema>;

/** The adapter's own weight update ΔW = scaling·B·A of one module: its size and its spectrum. */
export const WeightSpaceSchema = z.object({
  adapter: name,
  layer,
  module: z.enum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']),
  rank: count,
  scaling: num,
  frobenius: num,
  relative: num.nullable(),
  singularValues: z.array(num).max(4096),
});
export type WeightSpace = z.infer<typeof WeightSpaceSchema>;

const lensToken = z.object({ id: count, token: z.string().max(200).nullable(), z: num });
const lensSides = { promoted: z.array(lensToken).max(1000), suppressed: z.array(lensToken).max(1000) };
export type LensTokenRow = z.infer<typeof lensToken>;

/**
 * The activation-difference lens of one adapter at one layer (Minder et al. 2025): the tokens that the mean
 * delta over `tokens` text tokens, put through the final norm and W_E, promotes (largest z, first) and
 * suppresses (smallest z, first); `positions[i]` is the same for the i-th text token of each sequence.
 */
export const LensSchema = z.object({
  layer,
  adapter: name,
  tokens: count,
  ...lensSides,
  positions: z.array(z.object({ position: count, tokens: count, ...lensSides })).max(64),
});
export type Lens = z.infer<typeof LensSchema>;

/** One latent of a delta SAE under dose-response: its mean activation at each α and how far from linear it is. */
export const DoseLatentSchema = z.object({
  latent: count,
  /** mean activation over the dose tokens at each α of the row's `alphas` */
  means: z.array(num).max(16),
  /** least-squares c of Δa(α) = c·α through the origin, Δa(α) = means(α) − means(0) */
  slope: num,
  /** 1 − R² (uncentred) of that fit: 0 = amplified in proportion, towards 1 = far from linear */
  linearity: num,
  /** the smallest α whose Δa reaches DOSE_ONSET_FRACTION of Δa(α_max) (same sign); null when Δa(α_max) = 0 */
  onset: num.nullable(),
});
export type DoseLatent = z.infer<typeof DoseLatentSchema>;
/**
 * Dose-response of one adapter at one layer: the adapter's scaling multiplied by each α, run as extra streams
 * of one batch on the first held-out sequences (`sequences`, `tokens` text tokens). `meanDeltaNorm[i]` is the
 * mean per-token ‖delta‖ at `alphas[i]`; `latents` the delta SAE's (α = 1) latents that respond most (largest
 * max|Δa|); `linearity` the histogram of every responsive latent's linearity score over [0, 1].
 */
export const DoseSchema = z
  .object({
    layer,
    adapter: name,
    alphas: z.array(num).min(2).max(16),
    sequences: count,
    tokens: count,
    meanDeltaNorm: z.array(num).max(16),
    latents: z.array(DoseLatentSchema).max(256),
    /** latents whose max|Δa| is at least DOSE_RESPONSIVE_FRACTION of the strongest latent's */
    responsive: count,
    linearity: HistogramSchema,
  })
  .refine((d) => d.meanDeltaNorm.length === d.alphas.length && d.latents.every((l) => l.means.length === d.alphas.length), {
    message: 'meanDeltaNorm and every latent\'s means must have one value per alpha',
  });
export type Dose = z.infer<typeof DoseSchema>;
/**
 * What one adapted module writes locally: the mean over `tokens` text tokens (BOS and padding excluded) of
 * ‖scaling·B·A·x‖, x the module's input in the adapter's own stream. Set beside the resid_post delta, it says
 * which layers write the change and which carry it.
 */
export const LocalWriteSchema = z.object({
  adapter: name,
  layer,
  module: z.enum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']),
  meanNorm: num,
  tokens: count,
});
export type LocalWrite = z.infer<typeof LocalWriteSchema>;
const square = (labels: number) => (m: number[][]) => m.length === labels && m.every((r) => r.length === labels);
/**
 * The adapters compared with each other at one layer: `directionCosine[i][j]` = cos(d̄_i, d̄_j) of their mean
 * deltas over text tokens; `dictionaryCosine[i][j]` = mean over adapter i's first-seed delta-SAE latents of the
 * best cosine with adapter j's (directed: row → column), null before the SAEs are trained.
 */
export const AcrossAdaptersSchema = z
  .object({
    layer,
    labels: z.array(name).min(1).max(64),
    directionCosine: z.array(z.array(num).max(64)).max(64),
    dictionaryCosine: z.array(z.array(num).max(64)).max(64).nullable(),
    /** true: rows are first-seed SAEs and columns second-seed ones (diagonal = seed-to-seed ceiling); false: first-seed SAEs on both sides (diagonal 1) */
    crossSeed: z.boolean().default(false),
  })
  .refine((a) => square(a.labels.length)(a.directionCosine) && (a.dictionaryCosine === null || square(a.labels.length)(a.dictionaryCosine)), {
    message: 'matrices must be labels × labels',
  });
export type AcrossAdapters = z.infer<typeof AcrossAdaptersSchema>;
/** Most latents of one delta SAE the per-latent columns hold, and most full dashboards per SAE. */
export const MAX_LATENTS = 131_072;
export const MAX_DASHBOARDS = 256;
const column = <T extends z.ZodTypeAny>(t: T) => z.array(t).max(MAX_LATENTS);

/** A window of tokens around one top-activating token, with the latent's activation on each. */
export const LatentContextSchema = z
  .object({
    sequence: count,
    position: count,
    activation: num,
    /** position of the window's first token in its sequence */
    start: count,
    ids: z.array(count).max(64),
    tokens: z.array(z.string().max(200)).max(64).nullable(),
    acts: z.array(num).max(64),
  })
  .refine((c) => c.ids.length === c.acts.length && (c.tokens === null || c.tokens.length === c.ids.length), { message: 'ids, tokens and acts must have one entry per window token' });
export type LatentContextRow = z.infer<typeof LatentContextSchema>;

/** Full dashboard of one latent: top contexts, histogram of positive activations, logit effect of its decoder row. */
export const LatentDashboardSchema = z.object({
  index: count,
  maxActivation: num,
  contexts: z.array(LatentContextSchema).max(64),
  histogram: HistogramSchema,
  promoted: z.array(lensToken).max(100),
  suppressed: z.array(lensToken).max(100),
});
export type LatentDashboard = z.infer<typeof LatentDashboardSchema>;

export const LATENT_LABELS = ['new', 'between', 'shared'] as const;

/**
 * The latents of one delta SAE (the first seed's) at one (layer, adapter), over all `tokens` stored text
 * tokens. Per latent i (columns): firing frequency; variance share = Σ_t ‖a_i(t)·W_dec[i]‖² / Σ_t ‖x_t‖²;
 * nearest pretrained latent by decoder cosine and that cosine (null without a pretrained dictionary); label:
 * 'new' if cosine < thresholds.newBelow, else 'shared' if cosine ≥ thresholds.sharedAtLeast, else 'between'
 * (null without both controls). `dashboards` are the latents with the largest variance share, in that order.
 */
export const LatentSetSchema = z
  .object({
    layer,
    adapter: name,
    width: z.number().int().min(1).max(MAX_LATENTS),
    tokens: count,
    /** newBelow: upper end of the random-LoRA null's interval; sharedAtLeast: lower end of the seed-to-seed ceiling's */
    thresholds: z.object({ newBelow: num, sharedAtLeast: num }).nullable(),
    frequency: column(num),
    varianceShare: column(num),
    nearest: column(count.nullable()),
    cosine: column(num.nullable()),
    label: column(z.enum(LATENT_LABELS).nullable()),
    dashboards: z.array(LatentDashboardSchema).max(MAX_DASHBOARDS),
  })
  .refine((s) => [s.frequency, s.varianceShare, s.nearest, s.cosine, s.label].every((c) => c.length === s.width), { message: 'every per-latent column must have width entries' })
  .refine((s) => s.dashboards.every((d) => d.index < s.width), { message: 'dashboard index out of range' });
export type LatentSet = z.infer<typeof LatentSetSchema>;
export type LatentLabel = (typeof LATENT_LABELS)[number];

export const ResultMetricsSchema = z.object({
  model: ModelSummarySchema.nullable(),
  adapters: z.array(AdapterSummarySchema).max(64),
  layers: z.array(layer).max(1024),
  deltaNorms: z.array(DeltaNormSchema).max(65_536),
  training: z.array(TrainingCurveSchema).max(4096),
  reconstruction: z.array(ReconstructionSchema).max(65_536),
  alignment: z.array(AlignmentSchema).max(65_536),
  principalAngles: z.array(PrincipalAnglesSchema).max(65_536),
  cka: z.array(CkaSchema).max(1024),
  weightSpace: z.array(WeightSpaceSchema).max(65_536),
  lens: z.array(LensSchema).max(65_536).default([]),
  dose: z.array(DoseSchema).max(65_536).default([]),
  localWrites: z.array(LocalWriteSchema).max(65_536).default([]),
  acrossAdapters: z.array(AcrossAdaptersSchema).max(1024).default([]),
  latents: z.array(LatentSetSchema).max(4096).default([]),
});
export type ResultMetrics = z.infer<typeof ResultMetricsSchema>;

export function emptyMetrics(): ResultMetrics {
  return {
    model: null,
    adapters: [],
    layers: [],
    deltaNorms: [],
    training: [],
    reconstruction: [],
    alignment: [],
    principalAngles: [],
    cka: [],
    weightSpace: [],
    lens: [],
    dose: [],
    localWrites: [],
    acrossAdapters: [],
    latents: [],
  };
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A content hash of one input; `method: 'sampled'` hashes size + head + tail for inputs too big to read whole. */
export const InputHashSchema = z.object({ name, bytes: count, sha256, method: z.enum(['full', 'sampled']) });
export type InputHash = z.infer<typeof InputHashSchema>;

export const BundleEntrySchema = z.object({ path: z.string().min(1).max(400), bytes: count, sha256 });
export type BundleEntry = z.infer<typeof BundleEntrySchema>;

export const BundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.number().int().min(1).max(BUNDLE_VERSION),
  app: z.object({ name: z.literal('deltascope'), version: z.string().max(64), commit: z.string().max(64) }),
  createdAt: z.string().max(64),
  /** The run config with every secret removed (see redactRunConfig in src/lab). */
  config: z.record(z.string(), z.unknown()),
  seeds: z.record(z.string(), z.number().int()),
  inputs: z.object({
    model: InputHashSchema.nullable(),
    adapters: z.array(InputHashSchema).max(64),
    tokenizer: InputHashSchema.nullable(),
    dataset: InputHashSchema.nullable(),
    pretrained: z.array(InputHashSchema).max(1024),
  }),
  stages: z.object({
    load: z.boolean(),
    extract: z.boolean(),
    train: z.boolean(),
    evaluate: z.boolean(),
  }),
  /** Every other entry of the zip with its size and hash; import checks them. */
  entries: z.array(BundleEntrySchema).max(10_000),
});
export type BundleManifest = z.infer<typeof BundleManifestSchema>;
