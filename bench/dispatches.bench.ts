/**
 * Compute dispatches one transformer layer records, for the base model alone and for base + 4 LoRA adapters
 * (each WebGPU dispatch costs tens of µs on a real GPU, so this count bounds small-batch speed). Counted on the
 * device (Gpu.dispatches) as a forward through layers 0..1 minus one through layer 0 alone. Synthetic
 * Gemma-2-shaped weights, as bench/extract. Not a test.
 */
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import type { LoraAdapter, SafetensorsCheckpoint } from '../src/formats/index.js';
import { GemmaEngine } from '../src/model/index.js';
import { CONFIG, syntheticAdapter, syntheticModel } from './extract.bench.js';

type Log = (line: string) => void;

const BATCH = 2;
const SEQ = 16;

async function forwardDispatches(gpu: Gpu, model: SafetensorsCheckpoint, adapters: LoraAdapter[], layer: number): Promise<number> {
  const engine = await GemmaEngine.load(gpu, model, CONFIG, adapters, { dtype: 'f32', layers: [layer] });
  const ids = Int32Array.from({ length: BATCH * SEQ }, (_, i) => (i % SEQ === 0 ? 2 : (i * 7919) % CONFIG.vocabSize));
  const before = gpu.dispatches;
  const out = await engine.forward(ids, BATCH, SEQ);
  const n = gpu.dispatches - before;
  out.release();
  engine.dispose();
  return n;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const model = await syntheticModel(CONFIG);
  const four = await Promise.all([0, 1, 2, 3].map((i) => syntheticAdapter(CONFIG, `a${i}`, 1000 * (i + 1))));
  const perLayer = async (adapters: LoraAdapter[]): Promise<number> => (await forwardDispatches(gpu, model, adapters, 1)) - (await forwardDispatches(gpu, model, adapters, 0));
  const base = await perLayer([]);
  const withFour = await perLayer(four);
  log(`dispatches per layer: base ${base}, base + 4 adapters ${withFour} (${(withFour / base).toFixed(2)}× the base) on ${gpu.info.vendor} ${gpu.info.architecture}`);
  gpu.destroy();
}
