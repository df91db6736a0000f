import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors/index.js';
import { assertFinite, parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { localFile } from '../../src/formats/node-files.js';
import { parseArgs, type ParsedArgs } from '../args.js';
import { runInBrowser } from '../browser.js';
import type { TrainArgs, TrainSummary } from '../page/tasks/train.js';

const SPEC = {
  command: 'train',
  flags: {
    data: 'string', tensor: 'string', arch: 'string', width: 'string', k: 'string', l1: 'string', l0: 'string', bandwidth: 'string',
    lr: 'string', steps: 'string', batch: 'string', init: 'string', order: 'string', out: 'string',
    seed: 'string', 'aux-k': 'string', 'aux-coef': 'string', 'dead-window': 'string', 'lr-warmup': 'string', 'lr-decay': 'string',
    'coef-warmup': 'string', scale: 'string', 'held-out': 'string', 'b-dec-input': 'boolean', npz: 'boolean',
  },
  required: ['data', 'arch', 'width', 'lr', 'steps', 'batch', 'out'],
} as const;

const ARCHS: Record<string, TrainArgs['arch']> = { 'relu-l1': 'relu', relu: 'relu', topk: 'topk', jumprelu: 'jumprelu' };

function num(flags: ParsedArgs['flags'], name: string, fallback: number | undefined, check: (n: number) => boolean, what: string): number {
  const v = flags[name];
  if (v === undefined) {
    if (fallback === undefined) throw new InputError('train', `missing option --${name}`);
    return fallback;
  }
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || !check(n)) throw new InputError(`--${name}`, `"${String(v)}" is not ${what}`);
  return n;
}

const posInt = (n: number): boolean => Number.isInteger(n) && n >= 1;
const nonNegInt = (n: number): boolean => Number.isInteger(n) && n >= 0;
const nonNeg = (n: number): boolean => n >= 0;

function requireFile(file: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) throw new InputError(file, 'no such file');
}

/** [rows, d] of the data file (header only for safetensors), checked before Chromium starts. */
async function dataShape(file: string, tensor: string | undefined): Promise<{ rows: number; d: number }> {
  let shape: number[];
  if (file.endsWith('.npy')) {
    const a = parseNpy(new Uint8Array(await readFile(file)), file);
    if (a.dtype !== 'f4' && a.dtype !== 'f8') throw new InputError(file, `expected float32 or float64 data, got ${a.dtype}`);
    assertFinite(a.data as Float32Array | Float64Array, file, 'data');
    shape = a.shape;
  } else if (file.endsWith('.safetensors')) {
    const st = await SafetensorsFile.open(await localFile(file), file);
    const names = [...st.tensors.keys()];
    const name = tensor ?? (names.length === 1 ? names[0] : undefined);
    if (!name) throw new InputError(file, `holds ${names.length} tensors; choose one with --tensor (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`);
    if (!st.has(name)) throw new InputError(file, `no tensor named ${name}`);
    const info = st.info(name);
    if (!['F32', 'F16', 'BF16'].includes(info.dtype)) throw new InputError(file, `tensor ${name} is ${info.dtype}, expected a float type`);
    shape = info.shape;
    // readRows refuses NaN and infinities; read in slices so a large tensor is never whole in memory.
    const rows = shape[0] ?? 0;
    for (let r = 0; r < rows; r += 4096) await st.readRows(name, r, Math.min(4096, rows - r));
  } else throw new InputError(file, 'expected a .npy or .safetensors file');
  if (shape.length < 2 || shape.some((s) => s < 1)) throw new InputError(file, `expected [rows, d] (or [..., d]) data, got shape [${shape.join(', ')}]`);
  const d = shape[shape.length - 1];
  return { rows: shape.reduce((a, b) => a * b, 1) / d, d };
}

async function checkOrder(file: string, steps: number, batch: number, rows: number): Promise<void> {
  const a = parseNpy(new Uint8Array(await readFile(file)), file);
  if (!(a.data instanceof Int32Array) || a.shape.length !== 2 || a.shape[1] !== batch) {
    throw new InputError(file, `expected int32 [steps, ${batch}] row indices, got ${a.dtype} [${a.shape.join(', ')}]`);
  }
  if (a.shape[0] < steps) throw new InputError(file, `holds ${a.shape[0]} batches, --steps is ${steps}`);
  const bad = a.data.findIndex((i) => i < 0 || i >= rows);
  if (bad >= 0) throw new InputError(file, `row index ${a.data[bad]} at position ${bad} is outside 0..${rows - 1}`);
}

async function checkInit(file: string, arch: TrainArgs['arch'], d: number, m: number): Promise<void> {
  const st = await SafetensorsFile.open(await localFile(file), file);
  const want: Record<string, number[]> = { W_enc: [d, m], b_enc: [m], W_dec: [m, d], b_dec: [d], ...(arch === 'jumprelu' ? { log_theta: [m] } : {}) };
  for (const [n, shape] of Object.entries(want)) {
    if (!st.has(n)) throw new InputError(file, `missing tensor ${n}${n === 'log_theta' ? ' (JumpReLU needs log_theta [m])' : ''}`);
    const got = st.info(n).shape;
    if (got.join(',') !== shape.join(',')) throw new InputError(file, `${n} is [${got.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/**
 * `deltascope train`: trains an SAE in WGSL in headless Chromium and writes OUT/sae_weights.safetensors,
 * OUT/cfg.json, OUT/sparsity.safetensors (SAELens layout), OUT/log.json (and OUT/params.npz with --npz).
 */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, { ...SPEC, flags: { ...SPEC.flags }, required: [...SPEC.required] });
  const data = flags.data as string;
  requireFile(data);
  const arch = ARCHS[flags.arch as string];
  if (!arch) throw new InputError('--arch', `"${String(flags.arch)}" is not one of relu-l1, topk, jumprelu`);
  const width = num(flags, 'width', undefined, posInt, 'a positive integer');
  const steps = num(flags, 'steps', undefined, posInt, 'a positive integer');
  const batch = num(flags, 'batch', undefined, posInt, 'a positive integer');
  const lr = num(flags, 'lr', undefined, (n) => n > 0, 'a learning rate > 0');
  const k = num(flags, 'k', arch === 'topk' ? undefined : 1, (n) => posInt(n) && n <= width, `an integer in 1..${width}`);
  const l1 = num(flags, 'l1', arch === 'relu' ? undefined : 0, nonNeg, 'a number ≥ 0');
  const l0 = num(flags, 'l0', arch === 'jumprelu' ? undefined : 0, nonNeg, 'a number ≥ 0');
  const bandwidth = num(flags, 'bandwidth', arch === 'jumprelu' ? undefined : 1, (n) => n > 0, 'a bandwidth > 0');
  const heldOut = num(flags, 'held-out', 0, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)');
  const scale = (flags.scale as string | undefined) ?? 'none';
  if (scale !== 'none' && scale !== 'auto') throw new InputError('--scale', `"${scale}" is not none or auto`);
  const { rows, d } = await dataShape(data, flags.tensor as string | undefined);
  if (batch > rows) throw new InputError(data, `holds ${rows} rows, fewer than --batch ${batch}`);
  const files: Record<string, string> = { data };
  if (flags.init) {
    requireFile(flags.init as string);
    await checkInit(flags.init as string, arch, d, width);
    files.init = flags.init as string;
  }
  if (flags.order) {
    requireFile(flags.order as string);
    await checkOrder(flags.order as string, steps, batch, rows);
    files.order = flags.order as string;
  }
  const args: Omit<TrainArgs, 'files'> = {
    arch, width, k, l1, l0, bandwidth, lr, steps, batch,
    seed: num(flags, 'seed', 0, nonNegInt, 'a seed ≥ 0'),
    auxK: num(flags, 'aux-k', 0, nonNegInt, 'an integer ≥ 0'),
    auxCoefficient: num(flags, 'aux-coef', 1 / 32, nonNeg, 'a number ≥ 0'),
    deadWindow: num(flags, 'dead-window', 1_000_000, posInt, 'a positive token count'),
    lrWarmup: num(flags, 'lr-warmup', 0, nonNegInt, 'a step count'),
    lrDecay: num(flags, 'lr-decay', 0, (n) => nonNegInt(n) && n <= steps, `a step count ≤ --steps`),
    coefWarmup: num(flags, 'coef-warmup', 0, nonNegInt, 'a step count'),
    scale, heldOut, applyBDecToInput: flags['b-dec-input'] === true, npz: flags.npz === true,
    dataName: path.basename(data), tensor: flags.tensor as string | undefined,
    initName: flags.init ? path.basename(flags.init as string) : undefined,
    orderName: flags.order ? path.basename(flags.order as string) : undefined,
  };
  const out = flags.out as string;
  const { result, outputs } = await runInBrowser<TrainSummary>('train', { ...args }, { files });
  await mkdir(out, { recursive: true });
  for (const [name, bytes] of outputs) await writeFile(path.join(out, path.basename(name)), bytes);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
