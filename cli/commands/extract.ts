import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors/index.js';
import { parseGemma2Config, parseNpy } from '../../src/formats/index.js';
import type { ModelDtype } from '../../src/model/index.js';
import { parseArgs } from '../args.js';
import { runInBrowser } from '../browser.js';
import type { ExtractArgs, ExtractStats } from '../page/tasks/extract.js';

// src/model pulls in WGSL, which Node cannot import; the page checks the dtype again against MODEL_DTYPES
const DTYPES: readonly ModelDtype[] = ['f32', 'f16', 'q8', 'q4'];

const SPEC = {
  command: 'extract',
  flags: {
    model: 'string',
    adapter: 'list',
    tokens: 'string',
    text: 'string',
    tokenizer: 'string',
    layers: 'string',
    dtype: 'string',
    out: 'string',
    'save-base': 'boolean',
    seq: 'string',
    'max-batch-tokens': 'string',
  },
  required: ['model', 'layers', 'out'],
} as const;

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${flag}`, `"${value}" is not a positive integer`);
  return n;
}

/** Every id in [0, vocab), checked here so the message names the .npy the user gave. */
function checkTokenRange(ids: Int32Array | BigInt64Array, vocab: number, file: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = Number(ids[i]);
    if (!(id >= 0 && id < vocab)) throw new InputError(file, `token id ${ids[i]} at index ${i} is outside the vocabulary [0, ${vocab})`);
  }
}

function requireFile(file: string, what: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) throw new InputError(file, `missing ${what}`);
}

/** Checks everything a user can get wrong in Node, before Chromium starts (`lens` takes the same inputs). */
export async function validate(flags: Record<string, string | boolean | string[] | undefined>, command = 'extract'): Promise<{ args: Omit<ExtractArgs, 'files'>; files: Record<string, string> }> {
  const files: Record<string, string> = {};
  const model = flags.model as string;
  let numLayers: number | null = null;
  let vocabSize: number | null = null;
  if (!isUrl(model)) {
    if (!existsSync(model) || !statSync(model).isDirectory()) throw new InputError(model, 'not a model folder or http(s) URL');
    requireFile(path.join(model, 'config.json'), 'config.json');
    const cfgFile = path.join(model, 'config.json');
    ({ numHiddenLayers: numLayers, vocabSize } = parseGemma2Config(await readFile(cfgFile, 'utf8'), cfgFile));
    files.model = model;
  }
  const adapterDirs = (flags.adapter as string[] | undefined) ?? [];
  const names = adapterDirs.map((d) => path.basename(path.resolve(d)));
  adapterDirs.forEach((dir, i) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'not an adapter folder');
    requireFile(path.join(dir, 'adapter_config.json'), 'adapter_config.json');
    requireFile(path.join(dir, 'adapter_model.safetensors'), 'adapter_model.safetensors');
    if (names.indexOf(names[i]) !== i) throw new InputError(dir, `two adapters are named "${names[i]}" (adapter names are folder names)`);
    files[`adapter${i}`] = dir;
  });
  const layers = (flags.layers as string).split(',').map((s) => s.trim());
  const layerNums = layers.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < 0) throw new InputError('--layers', `"${s}" is not a layer index`);
    if (numLayers !== null && n >= numLayers) throw new InputError('--layers', `layer ${n} is outside 0..${numLayers - 1} of ${model}`);
    return n;
  });
  const dtype = (flags.dtype as string | undefined) ?? 'f32';
  if (!DTYPES.includes(dtype as ModelDtype)) throw new InputError('--dtype', `"${dtype}" is not one of ${DTYPES.join(', ')}`);
  const tokens = flags.tokens as string | undefined;
  const text = flags.text as string | undefined;
  if (!!tokens === !!text) throw new InputError(command, 'give exactly one of --tokens ids.npy or --text FILE --tokenizer DIR');
  if (tokens) {
    requireFile(tokens, 'token file');
    const a = parseNpy(await readFile(tokens), tokens);
    if (a.shape.length !== 2 || a.shape[0] < 1 || a.shape[1] < 1) throw new InputError(tokens, `expected a 2-D [sequences, positions] array, got shape [${a.shape.join(', ')}]`);
    if (a.dtype !== 'i4' && a.dtype !== 'i8') throw new InputError(tokens, `expected int32 or int64 token ids, got ${a.dtype}`);
    if (vocabSize !== null) checkTokenRange(a.data as Int32Array | BigInt64Array, vocabSize, tokens);
    files.tokens = tokens;
  } else {
    const tokenizer = flags.tokenizer as string | undefined;
    if (!tokenizer) throw new InputError(command, '--text needs --tokenizer DIR');
    requireFile(text!, 'text file');
    requireFile(path.join(tokenizer, 'tokenizer.json'), 'tokenizer.json');
    files.text = text!;
    files.tokenizer = tokenizer;
  }
  return {
    args: {
      modelUrl: isUrl(model) ? model : undefined,
      adapters: names,
      layers: layerNums,
      dtype: dtype as ModelDtype,
      saveBase: flags['save-base'] === true,
      seqLen: positiveInt('seq', flags.seq as string | undefined, 128),
      maxBatchTokens: positiveInt('max-batch-tokens', flags['max-batch-tokens'] as string | undefined, 2048),
      textName: text ? path.basename(text) : undefined,
    },
    files,
  };
}

/**
 * `deltascope extract`: base + adapters over the given tokens in headless Chromium; writes
 * OUT/activations.safetensors and OUT/stats.json and prints the stats.
 */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, { ...SPEC, flags: { ...SPEC.flags }, required: [...SPEC.required] });
  const { args, files } = await validate(flags);
  const out = flags.out as string;
  const { result, outputs } = await runInBrowser<ExtractStats>('extract', { ...args }, { files });
  await mkdir(out, { recursive: true });
  for (const [name, bytes] of outputs) await writeFile(path.join(out, path.basename(name)), bytes);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
