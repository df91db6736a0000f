/**
 * Where a TopK / ReLU SAE training step spends its time: every dispatch is submitted and waited for on its
 * own, and the wall time is summed per kernel (so the total exceeds a pipelined step; the split is the
 * figure). Same shapes as bench/sae. Not a test.
 */
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import { initSaeParams, resolveTrainConfig, SaeTrainer } from '../src/sae/index.js';

type Log = (line: string) => void;

const D = 128;
const BATCH = 256;
const WIDTHS = [1024, 4096];
const K = 32;
const STEPS = 3;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
}

/** Wraps gpu.run so each dispatch runs alone; returns the per-kernel totals it collects. */
function instrument(gpu: Gpu): Map<string, { ms: number; n: number }> {
  const totals = new Map<string, { ms: number; n: number }>();
  const run = gpu.run.bind(gpu);
  gpu.run = async (kernel, opts) => {
    await gpu.sync();
    const t0 = performance.now();
    await run(kernel, opts);
    await gpu.sync();
    const e = totals.get(kernel.name) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t0;
    e.n++;
    totals.set(kernel.name, e);
  };
  return totals;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  log(`adapter: ${gpu.info.vendor} ${gpu.info.architecture}; d ${D}, batch ${BATCH}, TopK k ${K}; per-kernel ms per step, each dispatch alone`);
  const x = rand(BATCH * D, 1);
  for (const m of WIDTHS) {
    for (const arch of ['topk', 'relu'] as const) {
      const cfg = resolveTrainConfig({ arch, d: D, m, k: K, steps: 1_000_000, batchSize: BATCH, lr: 1e-3, l1Coefficient: 1e-3, seed: 5 });
      const tr = await SaeTrainer.create(gpu, cfg, { params: initSaeParams(cfg, { decoderNorm: 0.1 }), step: 0 });
      await tr.trainStep(x);
      await gpu.sync();
      const totals = instrument(gpu);
      for (let i = 0; i < STEPS; i++) await tr.trainStep(x);
      await gpu.sync();
      await tr.drainLog();
      delete (gpu as { run?: unknown }).run;
      const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
      const sum = rows.reduce((s, [, e]) => s + e.ms, 0) / STEPS;
      log(`m ${m} ${arch}: ${sum.toFixed(1)} ms/step in isolated dispatches: ${rows.map(([name, e]) => `${name} ${(e.ms / STEPS).toFixed(1)} (${e.n / STEPS}×)`).join(', ')}`);
      tr.release();
    }
  }
  gpu.destroy();
}
