/**
 * The GPU bench suite in Chromium (node bench/run-bench.mjs gpu-suite): the same steps as in Node, on the browser's
 * WebGPU. The page has no file system, so the extraction step runs the small synthetic model (bench/extract's), the
 * fixture checks are left to the test suite, and the results JSON is printed as the last line. Preset: `tiny` on CPU
 * adapters, `full` sizes for the GEMM and SAE steps elsewhere.
 */
import { acquireGpu, isCpuAdapter } from '../src/gpu/index.js';
import { CONFIG, syntheticAdapter, syntheticModel } from './extract.bench.js';
import { runGpuSuite } from './gpu-suite.js';

export async function run(log: (line: string) => void): Promise<void> {
  const gpu = await acquireGpu();
  const results = await runGpuSuite(gpu, {
    runtime: `Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? ''}`,
    preset: isCpuAdapter(gpu) ? 'tiny' : 'full',
    forceGpuVariants: false,
    log,
    save: () => Promise.resolve(),
    extractionModel: async () => ({
      checkpoint: await syntheticModel(CONFIG),
      config: CONFIG,
      adapters: await Promise.all([0, 1, 2, 3].map((i) => syntheticAdapter(CONFIG, `a${i}`, 1000 * (i + 1)))),
      source: `synthetic in memory, hidden ${CONFIG.hiddenSize}, ${CONFIG.numHiddenLayers} layers`,
    }),
  });
  log(`results: ${JSON.stringify(results)}`);
  gpu.destroy();
  if (results.errors.length) throw new Error(results.errors.join('\n'));
}
