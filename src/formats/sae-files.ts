import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { parseJsonText, readAllBytes } from './byte-source.js';
import { type ModelFiles, fileLabel, requireText } from './model-files.js';
import { type NpyArray } from './npy.js';
import { parseNpz, readNpzHeaders } from './npz.js';
import { assertFinite } from './finite.js';
import { SafetensorsFile } from './safetensors.js';
import { writeSafetensors } from './safetensors-write.js';

export type SaeArchitecture = 'jumprelu' | 'topk' | 'relu';

/** A sparse autoencoder's weights: pre = x W_enc + b_enc (minus b_dec first when applyBDecToInput). */
export interface SaeWeights {
  architecture: SaeArchitecture;
  dIn: number;
  dSae: number;
  /** [dIn, dSae] */
  W_enc: Float32Array;
  /** [dSae, dIn] */
  W_dec: Float32Array;
  b_enc: Float32Array;
  b_dec: Float32Array;
  /** [dSae], JumpReLU only */
  threshold?: Float32Array;
  /** TopK only */
  k?: number;
  applyBDecToInput: boolean;
  normalizeActivations: string;
  /** Where it came from, for manifests and messages. */
  source: string;
}

export interface SaeLoadOptions {
  /** The model's hidden size; a dictionary of another width is rejected. */
  expectedDIn?: number;
}

function npyToF32(a: NpyArray | undefined, key: string, file: string): { data: Float32Array; shape: number[] } {
  if (!a) throw new InputError(file, `missing array ${key}`);
  if (a.data instanceof Float32Array) return { data: a.data, shape: a.shape };
  if (a.data instanceof Float64Array) return { data: Float32Array.from(a.data), shape: a.shape };
  throw new InputError(file, `array ${key} has dtype ${a.dtype}, expected float32`);
}

function checkShape(file: string, key: string, shape: number[], want: number[]): void {
  if (shape.join(',') !== want.join(',')) throw new InputError(file, `${key} is [${shape.join(', ')}], expected [${want.join(', ')}]`);
}

/** Shapes must agree with W_enc [d, m]; thresholds of a JumpReLU must be >= 0. */
function validated(s: SaeWeights, shapes: Record<string, number[]>, file: string, opts: SaeLoadOptions): SaeWeights {
  const { dIn: d, dSae: m } = s;
  checkShape(file, 'W_dec', shapes.W_dec, [m, d]);
  checkShape(file, 'b_enc', shapes.b_enc, [m]);
  checkShape(file, 'b_dec', shapes.b_dec, [d]);
  if (s.threshold) {
    checkShape(file, 'threshold', shapes.threshold, [m]);
    if (s.threshold.some((t) => !(t >= 0))) throw new InputError(file, 'threshold has negative or NaN entries');
  }
  if (s.architecture === 'jumprelu' && !s.threshold) throw new InputError(file, 'a JumpReLU SAE needs a threshold (or log_threshold) array');
  if (s.architecture === 'topk' && !(s.k !== undefined && Number.isInteger(s.k) && s.k > 0 && s.k <= m)) {
    throw new InputError(file, `a TopK SAE needs k in 1..${m} (got ${String(s.k)})`);
  }
  if (opts.expectedDIn !== undefined && d !== opts.expectedDIn) {
    throw new InputError(file, `the SAE reads vectors of size ${d}, but the model's hidden size is ${opts.expectedDIn}`);
  }
  return s;
}

const GEMMA_SCOPE_KEYS = ['W_enc', 'W_dec', 'b_enc', 'b_dec', 'threshold'];

/** Gemma Scope `params.npz`: W_enc [d, m], W_dec [m, d], b_enc [m], b_dec [d], threshold [m] (JumpReLU). */
export function parseGemmaScopeNpz(bytes: ArrayBuffer | Uint8Array, file: string, opts: SaeLoadOptions = {}): SaeWeights {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // Shapes and dtypes from the headers first: a file that cannot be this SAE is refused before any data is inflated.
  const headers = readNpzHeaders(u8, file);
  for (const k of GEMMA_SCOPE_KEYS) {
    const h = headers.get(k);
    if (!h) throw new InputError(file, `missing array ${k}`);
    if (h.dtype !== 'f4' && h.dtype !== 'f8') throw new InputError(file, `array ${k} has dtype ${h.dtype}, expected float32`);
  }
  const encShape = headers.get('W_enc')!.shape;
  if (encShape.length !== 2) throw new InputError(file, `W_enc is [${encShape.join(', ')}], expected 2-D [d, m]`);
  const [d, m] = encShape;
  checkShape(file, 'W_dec', headers.get('W_dec')!.shape, [m, d]);
  checkShape(file, 'b_enc', headers.get('b_enc')!.shape, [m]);
  checkShape(file, 'b_dec', headers.get('b_dec')!.shape, [d]);
  checkShape(file, 'threshold', headers.get('threshold')!.shape, [m]);
  if (opts.expectedDIn !== undefined && d !== opts.expectedDIn) {
    throw new InputError(file, `the SAE reads vectors of size ${d}, but the model's hidden size is ${opts.expectedDIn}`);
  }
  const arrays = parseNpz(u8, file, GEMMA_SCOPE_KEYS);
  const get = (k: string): { data: Float32Array; shape: number[] } => {
    const a = npyToF32(arrays.get(k), k, file);
    assertFinite(a.data, file, `array ${k}`);
    return a;
  };
  const [W_enc, W_dec, b_enc, b_dec, threshold] = GEMMA_SCOPE_KEYS.map(get);
  const sae: SaeWeights = {
    architecture: 'jumprelu',
    dIn: d,
    dSae: m,
    W_enc: W_enc.data,
    W_dec: W_dec.data,
    b_enc: b_enc.data,
    b_dec: b_dec.data,
    threshold: threshold.data,
    applyBDecToInput: false,
    normalizeActivations: 'none',
    source: file,
  };
  return validated(sae, { W_dec: W_dec.shape, b_enc: b_enc.shape, b_dec: b_dec.shape, threshold: threshold.shape }, file, opts);
}

const saelensCfg = z.object({
  architecture: z.string().default('standard'),
  d_in: z.number().int().positive(),
  d_sae: z.number().int().positive(),
  apply_b_dec_to_input: z.boolean().default(true),
  normalize_activations: z.string().nullable().default('none'),
  activation_fn_str: z.string().nullable().optional(),
  activation_fn_kwargs: z.object({ k: z.number().int().optional() }).passthrough().nullable().optional(),
  k: z.number().int().nullable().optional(),
});

function saelensArchitecture(arch: string, activation: string | null | undefined, file: string): SaeArchitecture {
  if (arch === 'jumprelu') return 'jumprelu';
  if (arch === 'topk' || (arch === 'standard' && activation === 'topk')) return 'topk';
  if (arch === 'standard' || arch === 'relu') return 'relu';
  throw new InputError(file, `unsupported: SAE architecture "${arch}" (supported: standard/relu, topk, jumprelu)`);
}

/** SAELens folder: `cfg.json` + `sae_weights.safetensors` (threshold, or log_threshold for JumpReLU). */
export async function loadSaelens(files: ModelFiles, opts: SaeLoadOptions = {}): Promise<SaeWeights> {
  const cfgFile = fileLabel(files, 'cfg.json');
  const parsed = saelensCfg.safeParse(parseJsonText(await requireText(files, 'cfg.json'), cfgFile));
  if (!parsed.success) {
    throw new InputError(cfgFile, `invalid SAELens cfg.json (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  const cfg = parsed.data;
  const architecture = saelensArchitecture(cfg.architecture, cfg.activation_fn_str, cfgFile);
  const wFile = fileLabel(files, 'sae_weights.safetensors');
  const src = files.get('sae_weights.safetensors');
  if (!src) throw new InputError(wFile, 'missing file');
  const st = await SafetensorsFile.open(src, wFile);
  const { d_in: d, d_sae: m } = cfg;
  const want: Record<string, number[]> = { W_enc: [d, m], W_dec: [m, d], b_enc: [m], b_dec: [d] };
  if (architecture === 'jumprelu') want[st.has('threshold') ? 'threshold' : 'log_threshold'] = [m];
  // Check every header before reading any data, so a bad file allocates nothing.
  for (const [k, shape] of Object.entries(want)) {
    if (!st.has(k)) throw new InputError(wFile, `missing tensor ${k}`);
    checkShape(wFile, k, st.info(k).shape, shape);
  }
  let threshold: Float32Array | undefined;
  if (architecture === 'jumprelu') {
    threshold = st.has('threshold') ? await st.readF32('threshold') : (await st.readF32('log_threshold')).map(Math.exp);
  }
  const sae: SaeWeights = {
    architecture,
    dIn: d,
    dSae: m,
    W_enc: await st.readF32('W_enc'),
    W_dec: await st.readF32('W_dec'),
    b_enc: await st.readF32('b_enc'),
    b_dec: await st.readF32('b_dec'),
    ...(threshold ? { threshold } : {}),
    ...(architecture === 'topk' ? { k: cfg.k ?? cfg.activation_fn_kwargs?.k ?? undefined } : {}),
    applyBDecToInput: cfg.apply_b_dec_to_input,
    normalizeActivations: cfg.normalize_activations ?? 'none',
    source: files.label,
  };
  return validated(sae, { W_dec: [m, d], b_enc: [m], b_dec: [d], threshold: [m] }, wFile, opts);
}

/** A Gemma Scope npz (params.npz or the only .npz in the folder) or a SAELens folder. */
export async function loadSaeFiles(files: ModelFiles, opts: SaeLoadOptions = {}): Promise<SaeWeights> {
  const names = files.names();
  const npz = names.includes('params.npz') ? 'params.npz' : names.filter((n) => n.endsWith('.npz')).length === 1 ? names.find((n) => n.endsWith('.npz')) : undefined;
  if (npz) return parseGemmaScopeNpz(await readAllBytes(files.get(npz)!, fileLabel(files, npz)), fileLabel(files, npz), opts);
  if (files.get('cfg.json') && files.get('sae_weights.safetensors')) return loadSaelens(files, opts);
  throw new InputError(files.label, 'no SAE here: expected params.npz (Gemma Scope) or cfg.json + sae_weights.safetensors (SAELens)');
}

/** SAELens layout of an SAE: `cfg.json` text and `sae_weights.safetensors` bytes. */
export function saeToSaelens(sae: SaeWeights, extraCfg: Record<string, unknown> = {}): { 'cfg.json': string; 'sae_weights.safetensors': Uint8Array } {
  const { dIn: d, dSae: m } = sae;
  const tensors: Parameters<typeof writeSafetensors>[0] = {
    W_enc: { dtype: 'F32', shape: [d, m], data: sae.W_enc },
    W_dec: { dtype: 'F32', shape: [m, d], data: sae.W_dec },
    b_enc: { dtype: 'F32', shape: [m], data: sae.b_enc },
    b_dec: { dtype: 'F32', shape: [d], data: sae.b_dec },
  };
  if (sae.threshold) tensors.threshold = { dtype: 'F32', shape: [m], data: sae.threshold };
  const cfg = {
    architecture: sae.architecture === 'relu' ? 'standard' : sae.architecture,
    d_in: d,
    d_sae: m,
    dtype: 'float32',
    device: 'cpu',
    apply_b_dec_to_input: sae.applyBDecToInput,
    normalize_activations: sae.normalizeActivations,
    activation_fn_str: sae.architecture === 'topk' ? 'topk' : 'relu',
    ...(sae.k !== undefined ? { k: sae.k, activation_fn_kwargs: { k: sae.k } } : {}),
    ...extraCfg,
  };
  return { 'cfg.json': JSON.stringify(cfg, null, 2), 'sae_weights.safetensors': writeSafetensors(tensors, { format: 'pt' }) };
}
