import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors/index.js';
import {
  type Bundle, type Gemma2Config, type ModelFiles, type NpyDtype, type SaeWeights, INDEX_NAME, SafetensorsFile, checkLoraWeightsFinite, loadLoraAdapterFolder,
  loadSaeFiles, openGemma2Checkpoint, parseGemma2Config, parseGemmaScopeNpz, parseNpy, parseNpz, readBundle, readNpzHeaders, readText, resolvedModules,
} from '../../src/formats/index.js';
import { localFile, modelFilesFromDir } from '../../src/formats/node-files.js';
import { parseArgs, stringFlag } from '../args.js';
import { readFileBytes } from './metrics.js';

const NUMPY_DTYPE: Record<NpyDtype, string> = {
  f4: 'float32', f8: 'float64', f2: 'float16', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool', i1: 'int8', u4: 'uint32',
};

type Report = Record<string, unknown>;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    throw new InputError(p, 'no such file or directory');
  }
}

function saeReport(sae: SaeWeights, format: string): Report {
  return {
    kind: 'sae',
    format,
    architecture: sae.architecture,
    d_in: sae.dIn,
    d_sae: sae.dSae,
    ...(sae.k !== undefined ? { k: sae.k } : {}),
    apply_b_dec_to_input: sae.applyBDecToInput,
    normalize_activations: sae.normalizeActivations,
  };
}

async function modelReport(files: ModelFiles): Promise<Report> {
  const { config, checkpoint } = await openGemma2Checkpoint(files);
  const dtypes = [...new Set([...checkpoint.tensors.values()].map((t) => t.dtype))].sort();
  return { kind: 'model', config, tensors: checkpoint.tensors.size, dtype: dtypes.length === 1 ? dtypes[0] : dtypes.join('+') };
}

async function folderReport(dir: string, base: Gemma2Config | undefined): Promise<Report> {
  const files = await modelFilesFromDir(dir);
  const names = new Set(files.names());
  if (names.has('adapter_config.json')) {
    const adapter = await loadLoraAdapterFolder(files, base);
    await checkLoraWeightsFinite(adapter);
    return { kind: 'lora', modules: resolvedModules(adapter) };
  }
  if (names.has('config.json') && (names.has(INDEX_NAME) || [...names].some((n) => n.endsWith('.safetensors')))) {
    const report = await modelReport(files);
    if (base) checkSameModel(base, report.config as Gemma2Config, dir);
    return report;
  }
  if (names.has('params.npz') || (names.has('cfg.json') && names.has('sae_weights.safetensors'))) {
    const sae = await loadSaeFiles(files, { expectedDIn: base?.hiddenSize });
    return saeReport(sae, names.has('params.npz') ? 'gemma-scope' : 'saelens');
  }
  throw new InputError(dir, 'not a model (config.json + safetensors), adapter (adapter_config.json) or SAE (params.npz, or cfg.json + sae_weights.safetensors) folder');
}

function checkSameModel(base: Gemma2Config, other: Gemma2Config, file: string): void {
  for (const k of ['hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'numKeyValueHeads', 'headDim', 'intermediateSize', 'vocabSize'] as const) {
    if (base[k] !== other[k]) throw new InputError(file, `${k} is ${other[k]}, the base model's is ${base[k]}`);
  }
}

/** A config.json is a few KiB; a huge one is refused before it is read. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Largest manifest echoed back; a bigger one (a run config can be anything) is summarised by its size only. */
const MAX_ECHOED_MANIFEST = 64 * 1024;

/** A bundle validated exactly as the app's import does; the report lists counts, never every entry. */
function bundleReport(b: Bundle): Report {
  const { entries, ...rest } = b.manifest;
  const json = JSON.stringify(rest);
  return {
    kind: 'bundle',
    ...(json.length <= MAX_ECHOED_MANIFEST ? { manifest: rest } : { manifest_bytes: json.length }),
    entries: entries.length,
    entry_bytes: entries.reduce((n, e) => n + e.bytes, 0),
    saes: b.saes.length,
    figures: b.figures.size,
  };
}

async function fileReport(file: string, base: Gemma2Config | undefined): Promise<Report> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.safetensors') {
    const st = await SafetensorsFile.open(await localFile(file), file);
    const tensors = [...st.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape }));
    return { kind: 'safetensors', tensors, metadata: st.metadata };
  }
  if (ext === '.npy') {
    const a = parseNpy(await readFileBytes(file), file);
    return { kind: 'npy', dtype: NUMPY_DTYPE[a.dtype], shape: a.shape };
  }
  if (ext === '.npz') {
    const bytes = await readFileBytes(file);
    const headers = readNpzHeaders(bytes, file);
    if (headers.has('W_enc') && headers.has('W_dec')) return saeReport(parseGemmaScopeNpz(bytes, file, { expectedDIn: base?.hiddenSize }), 'gemma-scope');
    // Every entry inflated once (capped, CRC-checked): inspect vouches for the data, not only the headers.
    parseNpz(bytes, file);
    return { kind: 'npz', arrays: Object.fromEntries([...headers].map(([k, a]) => [k, { dtype: NUMPY_DTYPE[a.dtype], shape: a.shape }])) };
  }
  if (ext === '.zip') return bundleReport(await readBundle(await readFileBytes(file), file));
  if (path.basename(file) === 'config.json') return { kind: 'config', config: parseGemma2Config(await readText(await readFileBytes(file, MAX_CONFIG_BYTES), file), file) };
  throw new InputError(file, 'unrecognised file type (expected .safetensors, .npy, .npz, a bundle .zip, or a folder)');
}

/** `deltascope inspect PATH [--base MODEL_DIR]`: what PATH holds, validated (against the base model when given), as one JSON line. */
export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { command: 'inspect', flags: { base: 'string' }, positional: ['PATH'], required: ['PATH'] });
  const target = args.positional[0];
  const baseDir = stringFlag(args, 'base');
  let base: Gemma2Config | undefined;
  if (baseDir !== undefined) {
    if (!(await isDir(baseDir))) throw new InputError(baseDir, '--base must be a model folder');
    base = (await openGemma2Checkpoint(await modelFilesFromDir(baseDir))).config;
  }
  const report = (await isDir(target)) ? await folderReport(target, base) : await fileReport(target, base);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
