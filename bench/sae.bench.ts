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
const STEPS = 2;
const ROUNDS = 5;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
}

/** ms of one call of f (which ends in a GPU sync). */
async function timeMs(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

function median(v: number[]): number {
  return [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
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
  log(`adapter: ${adapter}; d ${D}, batch ${BATCH}, TopK k ${K}; ${ROUNDS} rounds, each timing the matmul right before the step; minima (and the per-round ratios)`);
  const x = rand(BATCH * D, 1);
  for (const m of WIDTHS) {
    // peer: the dense product the encoder does, x [B, d] · W_encᵀ [m, d]ᵀ, on the same device
    const [tx, tw, ty] = [gpu.upload(x, [BATCH, D]), gpu.upload(rand(m * D, 2), [m, D]), gpu.empty([BATCH, m])];
    const matmul = async (): Promise<void> => {
      await matmulTransB(gpu, tx, tw, { out: ty });
      await gpu.sync();
    };
    await matmul();
    const mmFlops = 2 * BATCH * D * m;
    const mmMs: number[] = [];
    for (const arch of ['topk', 'relu'] as const) {
      const cfg = resolveTrainConfig({ arch, d: D, m, k: K, steps: 1_000_000, batchSize: BATCH, lr: 1e-3, l1Coefficient: 1e-3, seed: 5 });
      const tr = await SaeTrainer.create(gpu, cfg, { params: initSaeParams(cfg, { decoderNorm: 0.1 }), step: 0 });
      const err = await checkForward(gpu, tr, x, arch);
      const step = async (): Promise<void> => {
        for (let i = 0; i < STEPS; i++) await tr.trainStep(x);
        await gpu.sync();
        await tr.drainLog();
      };
      await step();
      // useful work per step: dense = enc, dec, g_f, dW_dec, dW_enc; TopK = dense enc + four k-sparse products
      const flops = arch === 'relu' ? 10 * BATCH * D * m : 2 * BATCH * D * m + 8 * BATCH * K * D;
      const stepMs: number[] = [];
      const ratios: number[] = [];
      // Interleaved, and the ratio taken per round: a machine whose load changes during the run (a shared
      // CI box) shifts both timings of a round alike.
      for (let r = 0; r < ROUNDS; r++) {
        const mm = await timeMs(matmul);
        const ms = (await timeMs(step)) / STEPS;
        mmMs.push(mm);
        stepMs.push(ms);
        ratios.push(flops / ms / (mmFlops / mm));
      }
      // Minima estimate the unloaded cost on a shared machine; the per-round ratios show the spread.
      const ms = Math.min(...stepMs);
      const ratio = flops / ms / (mmFlops / Math.min(...mmMs));
      log(`m ${m} ${arch}: ${ms.toFixed(1)} ms/step, ${((BATCH / ms) * 1000).toFixed(0)} tokens/s, ${(flops / (ms * 1e6)).toFixed(2)} GFLOP/s, ratio to matmul ${ratio.toFixed(2)} (per round: median ${median(ratios).toFixed(2)}, ${ratios.map((v) => v.toFixed(2)).join(' ')}), forward check ${err.toExponential(1)} rel on ${adapter}`);
      tr.release();
    }
    gpu.release(tx, tw, ty);
    const mm = Math.min(...mmMs);
    log(`m ${m}: matmul ${BATCH}×${D}×${m}: ${mm.toFixed(2)} ms, ${(mmFlops / (mm * 1e6)).toFixed(2)} GFLOP/s`);
  }
  gpu.destroy();
}
