import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { formatZodIssues } from '../formats/index.js';

/**
 * The whole setup of one run as plain JSON: what the setup page exports, what `deltascope run --config`
 * reads, and (with secrets removed) what a result bundle records. Validated as a whole, listing every
 * problem at once, before any work starts. Tokens never live here: see `Credentials`.
 */

/**
 * Where an input comes from.
 * - `demo`: the built-in demo asset of that kind (public/demo).
 * - `local`: files the user dropped (browser) or a path relative to the config file (CLI).
 * - `url`: a base URL read with HTTP range requests.
 * - `hub`: a Hugging Face repository; a gated one needs a token, supplied out of band.
 */
export const SourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('demo') }).strict(),
  z.object({ kind: z.literal('local'), path: z.string().min(1).max(1000).optional() }).strict(),
  z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }).strict(),
  z
    .object({
      kind: z.literal('hub'),
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
      revision: z.string().min(1).max(100).default('main'),
      subfolder: z.string().max(300).optional(),
    })
    .strict(),
]);
export type Source = z.infer<typeof SourceSchema>;

export const SAE_ARCHITECTURES = ['relu-l1', 'topk', 'jumprelu'] as const;
export const PRECISIONS = ['f32', 'f16', 'q8', 'q4'] as const;

const SaeSchema = z
  .object({
    /** Training objective; the update rules are the fixtures README's §7/§7b. */
    architecture: z.enum(SAE_ARCHITECTURES),
    /** Number of latents m (dictionary size). */
    width: z.number().int().min(1).max(1 << 20),
    /** TopK: active latents per token. */
    k: z.number().int().min(1).optional(),
    /** ReLU-L1: L1 coefficient λ (L1 weighted by decoder row norm). */
    l1: z.number().positive().optional(),
    /** JumpReLU: L0 coefficient λ and the rectangle kernel's bandwidth ε. */
    l0: z.number().positive().optional(),
    bandwidth: z.number().positive().optional(),
    /** JumpReLU: every latent's initial threshold θ₀ (default 0.001, as Gemma Scope; short runs need it near the data's scale). */
    threshold: z.number().positive().optional(),
    /** Adam learning rate at the end of warm-up. */
    lr: z.number().positive().max(1),
    steps: z.number().int().min(1).max(10_000_000),
    batchSize: z.number().int().min(1).max(65_536),
    /** Linear warm-up steps, then cosine decay to 10% of lr. */
    warmupSteps: z.number().int().min(0).default(0),
    /** Fraction of tokens held out for evaluation. */
    heldOutFraction: z.number().gt(0).lt(1).default(0.1),
    /** Evaluate held-out FVU every this many steps. */
    evalEvery: z.number().int().min(1).default(50),
  })
  .strict();

export const RunConfigSchema = z
  .object({
    version: z.literal(1),
    /** A name for the run (shown in the UI, used as the store's run label). */
    name: z.string().min(1).max(100).default('run'),
    model: SourceSchema,
    /** The tokenizer; `null` means the model's own folder holds tokenizer.json. */
    tokenizer: SourceSchema.nullable().default(null),
    dataset: z
      .object({
        source: z.union([z.object({ kind: z.literal('sample') }).strict(), SourceSchema]),
        /** Sequences read from the text, each `sequenceLength` tokens including BOS. */
        sequences: z.number().int().min(1).max(1_000_000),
        sequenceLength: z.number().int().min(2).max(8192),
      })
      .strict(),
    adapters: z
      .array(z.object({ name: z.string().regex(/^[\w.-]{1,100}$/, 'letters, digits, "_", "-" or "." only'), source: SourceSchema }).strict())
      .min(1)
      .max(16),
    /** Residual-stream layers (resid_post) to analyse, ascending. */
    layers: z.array(z.number().int().min(0).max(1023)).min(1).max(128),
    precision: z.enum(PRECISIONS).default('f32'),
    sae: SaeSchema,
    /** Pretrained dictionary per layer (Gemma Scope params.npz or a SAELens folder). */
    pretrained: z
      .array(z.object({ layer: z.number().int().min(0), format: z.enum(['gemma-scope', 'saelens']), source: SourceSchema }).strict())
      .max(128)
      .default([]),
    controls: z
      .object({
        /** Train a second delta SAE with another seed: the alignment ceiling. */
        seedPair: z.boolean().default(true),
        /** Random unit directions: the alignment floor. */
        randomDirections: z.boolean().default(true),
        /** A LoRA with random A, B matched in Frobenius norm per module: the referee's control. */
        randomLora: z.boolean().default(false),
        /** Bootstrap resamples for intervals (0 = none). */
        bootstrap: z.number().int().min(0).max(10_000).default(200),
      })
      .strict()
      .default({ seedPair: true, randomDirections: true, randomLora: false, bootstrap: 200 }),
    /** Subspace sizes for principal angles. */
    principalK: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([8, 16]),
    /** Master seed; every other seed derives from it and is recorded in the bundle. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /**
     * Target MiB of one stored shard piece (one layer, one stream): a pause, a reload or a lost device resumes
     * from the last complete shard, so smaller shards lose less work (and cost more store writes).
     */
    shardMiB: z.number().min(1 / 64).max(1024).default(4),
    /**
     * GPU memory the run may use, in GiB (absent: no budget). WebGPU cannot report a GPU's memory, so the user
     * states it; a run whose estimate is larger is refused before any weight is read, with what would fit.
     */
    gpuMemoryGiB: z.number().positive().max(65_536).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const sorted = [...c.layers].sort((a, b) => a - b);
    if (new Set(c.layers).size !== c.layers.length || sorted.some((l, i) => l !== c.layers[i])) {
      ctx.addIssue({ code: 'custom', path: ['layers'], message: 'layers must be ascending without repeats' });
    }
    const names = c.adapters.map((a) => a.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['adapters', i, 'name'], message: `adapter name "${n}" is used twice` });
    });
    const sae = c.sae;
    if (sae.architecture === 'topk' && sae.k === undefined) ctx.addIssue({ code: 'custom', path: ['sae', 'k'], message: 'topk needs k' });
    if (sae.architecture === 'topk' && sae.k !== undefined && sae.k > sae.width) ctx.addIssue({ code: 'custom', path: ['sae', 'k'], message: 'k must not exceed width' });
    if (sae.architecture === 'relu-l1' && sae.l1 === undefined) ctx.addIssue({ code: 'custom', path: ['sae', 'l1'], message: 'relu-l1 needs l1' });
    if (sae.architecture === 'jumprelu' && (sae.l0 === undefined || sae.bandwidth === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sae'], message: 'jumprelu needs l0 and bandwidth' });
    }
    c.pretrained.forEach((p, i) => {
      if (!c.layers.includes(p.layer)) ctx.addIssue({ code: 'custom', path: ['pretrained', i, 'layer'], message: `layer ${p.layer} is not among the analysed layers` });
      if (c.pretrained.findIndex((q) => q.layer === p.layer) !== i) ctx.addIssue({ code: 'custom', path: ['pretrained', i, 'layer'], message: `two dictionaries for layer ${p.layer}` });
    });
  });

export type RunConfig = z.output<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Parses and validates a run config (object or JSON text); one InputError lists every problem. */
export function parseRunConfig(json: unknown, fileName: string): RunConfig {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new InputError(fileName, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const parsed = RunConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error);
    throw new InputError(fileName, `${parsed.error.issues.length} problem${parsed.error.issues.length === 1 ? '' : 's'}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Every problem of a config without throwing (for the setup page's live check). */
export function runConfigProblems(json: unknown): string[] {
  const parsed = RunConfigSchema.safeParse(json);
  return parsed.success ? [] : formatZodIssues(parsed.error, 50);
}

function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    url.username = '';
    url.password = '';
    for (const key of [...url.searchParams.keys()]) if (/token|key|secret|sig|auth/i.test(key)) url.searchParams.set(key, 'REDACTED');
    return url.toString();
  } catch {
    return u;
  }
}

/** A copy safe to export or record: credentials in URLs removed; any key that looks like a secret dropped. */
export function redactRunConfig(config: RunConfig): Record<string, unknown> {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return key === 'url' ? redactUrl(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!/token|password|secret|authorization/i.test(k)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  return walk(config, '') as Record<string, unknown>;
}

/** Secrets kept beside a config, in memory (or sessionStorage) only: never in a bundle, the store or a log. */
export interface Credentials {
  hubToken?: string;
}
