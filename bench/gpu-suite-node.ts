// The GPU bench suite in Node on Dawn (`--runtime node`'s WebGPU): argument handling, files, and the fixture checks
// that need the file system. Runs from source through bench/gpu-suite.mjs, or as the one-file bundle that
// bench/gpu/pack.mjs builds for a GPU server. Writes the results JSON after every step.
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { installNodeWebGpu } from '../cli/node-webgpu.js';
import { loadLoraAdapter, modelFilesFromMap, openGemma2Checkpoint, parseNpy, type Gemma2Checkpoint } from '../src/formats/index.js';
import { modelFilesFromDir } from '../src/formats/node-files.js';
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import { GemmaEngine, type ModelDtype } from '../src/model/index.js';
import { CONFIG as TINY_CONFIG, syntheticAdapter, syntheticModel } from './extract.bench.js';
import { runGpuSuite, type Check, type ExtractionModel, type Preset, type SuiteResults } from './gpu-suite.js';
import { writeCheckpoint } from './load.js';
import { mergePeers } from './gpu-peers.js';

const ADAPTER_COUNT = 4;
const FIXTURE_ADAPTERS = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

async function extractionModel(preset: Preset, dir: string | undefined, log: (l: string) => void): Promise<ExtractionModel> {
  if (preset === 'tiny' && !dir) {
    const checkpoint = await syntheticModel(TINY_CONFIG);
    const adapters = await Promise.all(Array.from({ length: ADAPTER_COUNT }, (_, i) => syntheticAdapter(TINY_CONFIG, `a${i}`, 1000 * (i + 1))));
    return { checkpoint, config: TINY_CONFIG, adapters, source: `synthetic in memory, hidden ${TINY_CONFIG.hiddenSize}, ${TINY_CONFIG.numHiddenLayers} layers` };
  }
  if (!dir) throw new Error('--preset full needs --model DIR (a Gemma-2 checkpoint folder; written there, Gemma-2-2B-shaped, when it has no config.json)');
  if (!(await exists(path.join(dir, 'config.json')))) {
    const t0 = performance.now();
    await writeCheckpoint(dir, 26, 'sharded');
    log(`wrote a seeded Gemma-2-2B-shaped BF16 checkpoint to ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const { config, checkpoint } = await openGemma2Checkpoint(await modelFilesFromDir(dir));
  // Rank-8 adapters on all seven projections of every layer: their weights do not change the cost, so they are seeded.
  const adapters = await Promise.all(Array.from({ length: ADAPTER_COUNT }, (_, i) => syntheticAdapter(config, `a${i}`, 1000 * (i + 1))));
  return { checkpoint, config, adapters, source: `${dir} (hidden ${config.hiddenSize}, ${config.numHiddenLayers} layers, vocabulary ${config.vocabSize})` };
}

/** max |a − b| / scale */
function relError(got: Float32Array, ref: Float32Array, scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0)): number {
  let d = 0;
  for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(got[i] - ref[i]));
  return d / scale;
}

function slab(data: Float32Array, index: number, count: number): Float32Array {
  const n = data.length / count;
  return data.subarray(index * n, (index + 1) * n);
}

/** fixtures README §4 and §4b on this device: base + 5 adapter streams, f32 and q8/q4, every layer. */
async function fixtureChecks(gpu: Gpu, dir: string): Promise<Check[]> {
  const bytes = async (rel: string): Promise<Uint8Array> => new Uint8Array(await readFile(path.join(dir, rel)));
  const f32 = async (rel: string): Promise<Float32Array> => parseNpy((await bytes(rel)).slice().buffer, rel).data as Float32Array;
  const model: Gemma2Checkpoint = await openGemma2Checkpoint(modelFilesFromMap({ 'config.json': await bytes('model/config.json'), 'model.safetensors': await bytes('model/model.safetensors') }, 'model'));
  const adapters = await Promise.all(FIXTURE_ADAPTERS.map(async (n) => loadLoraAdapter({ config: await bytes(`adapters/${n}/adapter_config.json`), weights: await bytes(`adapters/${n}/adapter_model.safetensors`) }, n, model.config)));
  const idsNpy = parseNpy((await bytes('reference/input_ids.npy')).slice().buffer, 'input_ids.npy');
  const [batch, seq] = idsNpy.shape;
  const layers = [0, 1, 2, 3];
  const checks: Check[] = [];
  const worst = new Map<string, [number, number]>();
  const note = (name: string, err: number, tol: number): void => {
    worst.set(name, [Math.max(worst.get(name)?.[0] ?? 0, err), tol]);
  };
  for (const dtype of ['f32', 'q8', 'q4'] as ModelDtype[]) {
    const ref = dtype === 'f32' ? 'reference' : `reference/quant/${dtype}`;
    const tol = dtype === 'f32' ? 1e-4 : 1e-3;
    const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype, layers });
    const out = await engine.forward(idsNpy.data as Int32Array, batch, seq);
    const basePost = await f32(`${ref}/base/resid_post.npy`);
    for (const l of layers) {
      const post = await gpu.read(out.residPost.get(l)!);
      const delta = await gpu.read(out.delta.get(l)!);
      note(`${dtype} base resid_post`, relError(slab(post, 0, 6), slab(basePost, l, 4)), tol);
      for (const [k, name] of FIXTURE_ADAPTERS.entries()) {
        const refPost = slab(await f32(`${ref}/adapters/${name}/resid_post.npy`), l, 4);
        note(`${dtype} adapter resid_post`, relError(slab(post, k + 1, 6), refPost), tol);
        const scale = refPost.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        note(`${dtype} adapter delta (of max|resid_post|)`, relError(slab(delta, k, 5), slab(await f32(`${ref}/adapters/${name}/delta.npy`), l, 4), scale), tol);
      }
    }
    out.release();
    engine.dispose();
  }
  for (const [name, [error, tolerance]] of worst) checks.push({ name: `fixture ${name}`, error, tolerance, ok: error <= tolerance });
  return checks;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'tiny' },
      out: { type: 'string', default: 'gpu-suite.json' },
      model: { type: 'string' },
      fixtures: { type: 'string' },
      peer: { type: 'string', multiple: true, default: [] },
      'force-gpu-variants': { type: 'boolean', default: false },
    },
  });
  const preset = values.preset as Preset;
  if (preset !== 'tiny' && preset !== 'full') throw new Error(`--preset ${values.preset}: expected tiny or full`);
  const log = (line: string): void => console.log(line);
  const save = async (r: SuiteResults): Promise<void> => writeFile(values.out, JSON.stringify(r, null, 1));
  await installNodeWebGpu();
  const gpu = await acquireGpu();
  const results = await runGpuSuite(gpu, {
    runtime: `node ${process.version} + Dawn (npm webgpu)`,
    preset,
    forceGpuVariants: values['force-gpu-variants'],
    log,
    save,
    extractionModel: () => extractionModel(preset, values.model, log),
    fixtureChecks: values.fixtures ? (g) => fixtureChecks(g, values.fixtures!) : undefined,
  });
  await mergePeers(results, values.peer, log);
  await save(results);
  gpu.destroy();
  const failed = results.checks.filter((c) => !c.ok).length + results.errors.length;
  log(`gpu suite: ${results.checks.length} checks, ${failed} failures or errors; results in ${values.out}`);
  return failed ? 1 : 0;
}
