import { compareDecodersGpu, comparisonJson, linearCkaGpu, rowMatrix } from '../../../src/analysis/index.js';
import { InputError } from '../../../src/errors/index.js';
import { fetchRequiredFile, parseNpy } from '../../../src/formats/index.js';
import { acquireGpu } from '../../../src/gpu/index.js';

export interface MetricsArgs {
  mode: 'decoders' | 'cka';
  /** file names for messages, in the order of files.a, files.b */
  names: [string, string];
  ks: number[];
  debiased: boolean;
  /** set by the harness: a, b → URLs */
  files: Record<string, string>;
}

async function matrix(url: string, name: string): Promise<{ rows: number; cols: number; data: Float32Array }> {
  const a = parseNpy(await (await fetchRequiredFile(url, name)).arrayBuffer(), name);
  if (a.shape.length < 2) throw new InputError(name, `expected a 2-D array [rows, features], got shape [${a.shape.join(', ')}]`);
  if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) throw new InputError(name, `expected float32 or float64 data, got dtype ${a.dtype}`);
  const cols = a.shape[a.shape.length - 1];
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  for (const v of data) if (!Number.isFinite(v)) throw new InputError(name, 'contains NaN or infinite values');
  return { rows: data.length / cols, cols, data };
}

/** `metrics --gpu`: decoder geometry (chunked max cosine, randomised SVD) or linear CKA on this page's GPU. */
export async function metrics(args: MetricsArgs): Promise<unknown> {
  const [a, b] = await Promise.all([matrix(args.files.a, args.names[0]), matrix(args.files.b, args.names[1])]);
  const gpu = await acquireGpu();
  try {
    if (args.mode === 'cka') {
      if (a.rows !== b.rows) throw new InputError(args.names[1], `has ${b.rows} rows but ${args.names[0]} has ${a.rows}: CKA compares two representations of the same tokens`);
      return { linear_cka: await linearCkaGpu(gpu, a, b, { debiased: args.debiased }) };
    }
    if (a.cols !== b.cols) throw new InputError(args.names[1], `decoder rows have ${b.cols} values but ${args.names[0]}'s have ${a.cols}`);
    const c = await compareDecodersGpu(gpu, rowMatrix(a.data, a.rows, a.cols), rowMatrix(b.data, b.rows, b.cols), { ks: args.ks });
    return comparisonJson(c);
  } finally {
    gpu.destroy();
  }
}
