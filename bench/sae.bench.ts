/**
 * SAE training throughput: tokens/s and achieved GFLOP/s of one training step (forward, backward, Adam)
 * for TopK and ReLU at a few widths, against the same device's dense matmul rate measured in the same run
 * on the encoder's shape (the ratio is the figure). Each configuration's reconstruction is first checked
 * against a float64 CPU forward on a few rows. Not a test.
 */
import { acquireGpu, matmulTransB, type Gpu } from '../src/gpu/index.js';
import { initSaeParams, resolveTrainConfig, SaeTrainer, type SaeArch } from '../src/sae/index.js';

type Log = (line: string) => void;

const D = 128;
const BATCH = 256;
const WIDTHS = [1024, 4096];
const K = 32;
const STEPS = 4;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
}

/** Median ms of `runs` calls of f (each ends in a GPU sync). */
async function medianMs(f: () => Promise<void>, runs: number): Promise<number> {
  await f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** max |x̂ − x̂_ref| / max |x̂_ref| over the first rows, x̂_ref from a float64 forward of the same parameters. */
async function checkForward(gpu: Gpu, tr: SaeTrainer, x: Float32Array, arch: SaeArch): Promise<number> {
  const p = await tr.sae.download();
  await tr.forwardBackward(x);
  const xhat = await gpu.read(tr.ws.xhat);
  await tr.drainLog();
  const { d, m } = p;
  let maxDiff = 0;
  let maxRef = 0;
  for (let b = 0; b < 4; b++) {
    const pre = Array.from({ length: m }, (_, i) => {
      let a = p.b_enc[i];
      for (let c = 0; c < d; c++) a += x[b * d + c] * p.W_enc[c * m + i];
      return a;
    });
    let f = pre.map((v) => Math.max(v, 0));
    if (arch === 'topk') {
      const keep = new Set(pre.map((v, i) => [v, i]).sort((a, c) => c[0] - a[0] || a[1] - c[1]).slice(0, K).map((e) => e[1]));
      f = f.map((v, i) => (keep.has(i) ? v : 0));
    }
    for (let c = 0; c < d; c++) {
      let r = p.b_dec[c];
      for (let i = 0; i < m; i++) if (f[i] !== 0) r += f[i] * p.W_dec[i * d + c];
      maxDiff = Math.max(maxDiff, Math.abs(xhat[b * d + c] - r));
      maxRef = Math.max(maxRef, Math.abs(r));
    }
  }
  return maxDiff / maxRef;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = `${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.trim();
  log(`adapter: ${adapter}; d ${D}, batch ${BATCH}, TopK k ${K}`);
  const x = rand(BATCH * D, 1);
  for (const m of WIDTHS) {
    // peer: the dense product the encoder does, x [B, d] · W_encᵀ [m, d]ᵀ, on the same device
    const [tx, tw, ty] = [gpu.upload(x, [BATCH, D]), gpu.upload(rand(m * D, 2), [m, D]), gpu.empty([BATCH, m])];
    const mmMs = await medianMs(async () => {
      await matmulTransB(gpu, tx, tw, { out: ty });
      await gpu.sync();
    }, 5);
    gpu.release(tx, tw, ty);
    const mmGflops = (2 * BATCH * D * m) / (mmMs * 1e6);
    log(`m ${m}: matmul ${BATCH}×${D}×${m}: ${mmMs.toFixed(2)} ms, ${mmGflops.toFixed(2)} GFLOP/s`);
    for (const arch of ['topk', 'relu'] as const) {
      const cfg = resolveTrainConfig({ arch, d: D, m, k: K, steps: 1_000_000, batchSize: BATCH, lr: 1e-3, l1Coefficient: 1e-3, seed: 5 });
      const tr = await SaeTrainer.create(gpu, cfg, { params: initSaeParams(cfg, { decoderNorm: 0.1 }), step: 0 });
      const err = await checkForward(gpu, tr, x, arch);
      const ms = await medianMs(async () => {
        for (let i = 0; i < STEPS; i++) await tr.trainStep(x);
        await gpu.sync();
        await tr.drainLog();
      }, 3) / STEPS;
      // useful work per step: dense = enc, dec, g_f, dW_dec, dW_enc; TopK = dense enc + four k-sparse products
      const flops = arch === 'relu' ? 10 * BATCH * D * m : 2 * BATCH * D * m + 8 * BATCH * K * D;
      const gflops = flops / (ms * 1e6);
      log(`m ${m} ${arch}: ${ms.toFixed(1)} ms/step, ${((BATCH / ms) * 1000).toFixed(0)} tokens/s, ${gflops.toFixed(2)} GFLOP/s, ratio to matmul ${(gflops / mmGflops).toFixed(2)}, forward check ${err.toExponential(1)} rel on ${adapter}`);
      tr.release();
    }
  }
  gpu.destroy();
}
