import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareDecoders, comparisonJson, evaluateSae, usableKs, type ReconstructionMetrics } from '../../src/analysis/index.js';
import { InputError } from '../../src/errors/index.js';
import { SafetensorsFile, loadSaeFiles, parseGemmaScopeNpz, writeNpy, type SaeWeights } from '../../src/formats/index.js';
import { localFile, modelFilesFromDir } from '../../src/formats/node-files.js';
import { listFlag, parseArgs, stringFlag } from '../args.js';
import { readFileBytes, readNpyMatrix } from './metrics.js';

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    throw new InputError(p, 'no such file or directory');
  }
}

/** A Gemma Scope params.npz (file or folder) or a SAELens folder (cfg.json + sae_weights.safetensors). */
async function loadSae(p: string): Promise<SaeWeights> {
  if (await isDirectory(p)) return loadSaeFiles(await modelFilesFromDir(p));
  if (path.extname(p).toLowerCase() !== '.npz') throw new InputError(p, 'expected a Gemma Scope .npz file or an SAE folder (params.npz, or cfg.json + sae_weights.safetensors)');
  return parseGemmaScopeNpz(await readFileBytes(p), p);
}

/** Tokens × d activations from a .npy (any leading dims) or one tensor of a .safetensors file. */
async function loadData(file: string, tensor: string | undefined): Promise<{ rows: number; cols: number; data: Float32Array | Float64Array }> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') {
    if (tensor !== undefined) throw new InputError(file, '--tensor applies to .safetensors data only');
    const m = await readNpyMatrix(file);
    return { rows: m.rows, cols: m.cols, data: m.data as Float32Array | Float64Array };
  }
  if (ext !== '.safetensors') throw new InputError(file, 'expected --data FILE.npy or FILE.safetensors');
  const st = await SafetensorsFile.open(await localFile(file), file);
  const names = [...st.tensors.keys()];
  const name = tensor ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) throw new InputError(file, `holds ${names.length} tensors; choose one with --tensor (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`);
  const info = st.info(name);
  if (info.shape.length < 2) throw new InputError(file, `tensor ${name} is [${info.shape.join(', ')}], expected [..., tokens, d]`);
  const cols = info.shape[info.shape.length - 1];
  const data = await st.readF32(name);
  for (const v of data) if (!Number.isFinite(v)) throw new InputError(file, `tensor ${name} contains NaN or infinite values`);
  return { rows: data.length / cols, cols, data };
}

function saeJson(m: ReconstructionMetrics, source: string) {
  return {
    source,
    n_tokens: m.nTokens,
    mse: m.mse,
    sse_per_token: m.ssePerToken,
    fvu: m.fvu,
    explained_variance: m.explainedVariance,
    nmse_uncentered: m.nmseUncentered,
    mean_l0: m.meanL0,
    n_dead: m.nDead,
    mean_density: m.meanDensity,
    feature_density: Array.from(m.featureDensity),
  };
}

/**
 * `deltascope compare --sae NPZ|DIR [--sae NPZ|DIR] --data FILE [--tensor NAME] [--out DIR]`: reconstruction
 * and density of each SAE on the data (fixtures README §5), and decoder geometry when two SAEs are given.
 * CPU float64. With --out, also writes compare.json and l0_per_token_<i>.npy there.
 */
export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { command: 'compare', flags: { sae: 'list', data: 'string', tensor: 'string', out: 'string' }, required: ['sae', 'data'] });
  const saePaths = listFlag(args, 'sae');
  if (saePaths.length > 2) throw new InputError('compare', `--sae takes one or two SAEs, got ${saePaths.length}`);
  const dataFile = stringFlag(args, 'data') as string;
  const saes = await Promise.all(saePaths.map(loadSae));
  const x = await loadData(dataFile, stringFlag(args, 'tensor'));
  saes.forEach((sae, i) => {
    if (sae.dIn !== x.cols) throw new InputError(dataFile, `rows have ${x.cols} values but the SAE ${saePaths[i]} expects d_in = ${sae.dIn}`);
  });
  const metrics = saes.map((sae) => evaluateSae(sae, x.data, x.rows));
  const out: Record<string, unknown> = { saes: metrics.map((m, i) => saeJson(m, saePaths[i])) };
  if (saes.length === 2) {
    const [a, b] = saes.map((s) => ({ rows: s.dSae, cols: s.dIn, data: s.W_dec }));
    out.geometry = comparisonJson(compareDecoders(a, b, { ks: usableKs(a, b, [8, 16]) }));
  }
  const json = JSON.stringify(out);
  const outDir = stringFlag(args, 'out');
  if (outDir !== undefined) {
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, 'compare.json'), `${json}\n`);
    for (const [i, m] of metrics.entries()) await writeFile(path.join(outDir, `l0_per_token_${i}.npy`), writeNpy(m.l0PerToken, [m.nTokens]));
  }
  process.stdout.write(`${json}\n`);
}
