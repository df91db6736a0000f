import { readFile, stat } from 'node:fs/promises';
import { compareDecoders, comparisonJson, linearCka, type MatrixLike } from '../../src/analysis/index.js';
import { InputError } from '../../src/errors/index.js';
import { parseNpy } from '../../src/formats/index.js';
import { listFlag, parseArgs, stringFlag } from '../args.js';

/** Node reads at most 2 GiB into one buffer; anything meant to be read whole is refused above its cap before reading. */
const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1;

/** A file's bytes as a plain Uint8Array (a Node Buffer's slice() shares memory, which parsers do not expect). */
export async function readFileBytes(file: string, maxBytes = MAX_WHOLE_FILE_BYTES): Promise<Uint8Array> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch {
    throw new InputError(file, 'cannot read the file (missing or not a file)');
  }
  if (size > maxBytes) throw new InputError(file, `is ${size} bytes, more than the ${maxBytes} bytes this file type may have`);
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new InputError(file, `cannot read the file (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** A .npy file as a float matrix [rows, cols]: 2-D, or N-D with rows = all leading dims. */
export async function readNpyMatrix(file: string): Promise<MatrixLike> {
  const a = parseNpy(await readFileBytes(file), file);
  if (a.shape.length < 2) throw new InputError(file, `expected a 2-D array [rows, features], got shape [${a.shape.join(', ')}]`);
  if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) throw new InputError(file, `expected float32 or float64 data, got dtype ${a.dtype}`);
  const cols = a.shape[a.shape.length - 1];
  const rows = a.data.length / Math.max(1, cols);
  if (rows < 1 || cols < 1) throw new InputError(file, `empty array of shape [${a.shape.join(', ')}]`);
  for (const v of a.data) if (!Number.isFinite(v)) throw new InputError(file, 'contains NaN or infinite values');
  return { rows, cols, data: a.data };
}

/** "8,16" or ["8", "16"] → [8, 16]; each a positive integer. */
export function parseKs(values: string[], command: string): number[] {
  const ks = values.flatMap((v) => v.split(',')).filter((s) => s.trim() !== '').map(Number);
  for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new InputError(command, `--k: "${values.join(',')}" must be positive integers, e.g. 8,16`);
  return ks;
}

/** Checks two decoders can be compared and every k is usable; errors name the file at fault. */
export function checkDecoders(a: MatrixLike, b: MatrixLike, fileA: string, fileB: string, ks: readonly number[]): void {
  if (a.cols !== b.cols) throw new InputError(fileB, `decoder rows have ${b.cols} values but ${fileA}'s have ${a.cols}: both must be [features, d] with the same d`);
  for (const k of ks) {
    if (k > a.cols) throw new InputError('metrics', `--k ${k} exceeds the decoder width d = ${a.cols}`);
    if (k > a.rows) throw new InputError(fileA, `k = ${k} exceeds its ${a.rows} rows`);
    if (k > b.rows) throw new InputError(fileB, `k = ${k} exceeds its ${b.rows} rows`);
  }
}

/** The same numbers from the GPU paths, in headless Chromium (big decoders: chunked max cosine, randomised SVD). */
async function runOnGpu(mode: 'decoders' | 'cka', files: string[], ks: number[], debiased: boolean): Promise<void> {
  if (files.length !== 2) throw new InputError('metrics', `--${mode} takes two files, got ${files.length}`);
  for (const f of files) {
    const s = await stat(f).catch(() => null);
    if (!s?.isFile()) throw new InputError(f, 'cannot read the file (missing or not a file)');
  }
  const { runInBrowser } = await import('../browser.js');
  const { result } = await runInBrowser<unknown>('metrics', { mode, names: files, ks, debiased }, { files: { a: files[0], b: files[1] } });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * `deltascope metrics --decoders A.npy B.npy [--k 8,16] [--gpu]` — max-cosine matching both ways, the share of A's
 * features matched above 0.5/0.7/0.9 and principal angles; `metrics --cka X.npy Y.npy [--debiased]` — linear CKA.
 * CPU float64 (fixtures README §6); with --gpu, the GPU paths in headless Chromium (float32, for big inputs).
 */
export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { command: 'metrics', flags: { decoders: 'list', k: 'list', cka: 'list', debiased: 'boolean', gpu: 'boolean' } });
  const decoders = listFlag(args, 'decoders');
  const cka = listFlag(args, 'cka');
  if ((decoders.length > 0) === (cka.length > 0)) throw new InputError('metrics', 'give exactly one of --decoders A.npy B.npy or --cka X.npy Y.npy');
  if (args.flags.gpu) {
    await runOnGpu(decoders.length ? 'decoders' : 'cka', decoders.length ? decoders : cka, decoders.length ? parseKs(listFlag(args, 'k').length ? listFlag(args, 'k') : ['8,16'], 'metrics') : [], args.flags.debiased === true);
    return;
  }
  if (cka.length) {
    if (cka.length !== 2) throw new InputError('metrics', `--cka takes two files, got ${cka.length}`);
    const [x, y] = await Promise.all(cka.map(readNpyMatrix));
    if (x.rows !== y.rows) throw new InputError(cka[1], `has ${y.rows} rows but ${cka[0]} has ${x.rows}: CKA compares two representations of the same tokens`);
    const minRows = args.flags.debiased ? 4 : 2;
    if (x.rows < minRows) throw new InputError(cka[0], `needs at least ${minRows} rows, has ${x.rows}`);
    process.stdout.write(`${JSON.stringify({ linear_cka: linearCka(x, y, { debiased: args.flags.debiased === true }) })}\n`);
    return;
  }
  if (decoders.length !== 2) throw new InputError('metrics', `--decoders takes two files, got ${decoders.length}`);
  const ks = stringFlag(args, 'k') !== undefined || listFlag(args, 'k').length ? parseKs(listFlag(args, 'k'), 'metrics') : [8, 16];
  const [a, b] = await Promise.all(decoders.map(readNpyMatrix));
  checkDecoders(a, b, decoders[0], decoders[1], ks);
  process.stdout.write(`${JSON.stringify(comparisonJson(compareDecoders(a, b, { ks })))}\n`);
}
