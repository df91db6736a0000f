import { throwIfAborted } from '../errors/index.js';
import type { Gpu } from '../gpu/index.js';
import { forward } from './forward.js';
import { buildCsr } from './kernels/sae-csr.js';
import { latentGrad } from './kernels/sae-latent-grad.js';
import { residual } from './kernels/sae-residual.js';
import { sparseLatentSums } from './kernels/sae-sparse-latent.js';
import type { SaeGpu } from './sae-gpu.js';
import type { TrainingSource } from './sampler.js';
import { createWorkspace, releaseWorkspace, sliceWorkspace } from './workspace.js';

/** Held-out metrics, defined as in the fixtures README §5 (sums over all rows and dims, raw input units). */
export interface EvalMetrics {
  rows: number;
  /** Σ(x − x̂)² / (n·d) */
  mse: number;
  /** Σ(x − x̂)² / Σ(x − mean_rows(x))² */
  fvu: number;
  /** Σ(x − x̂)² / Σx² */
  nmseUncentered: number;
  /** mean over rows of #{i : f_i ≠ 0} */
  meanL0: number;
  /** fraction of rows on which each latent fires, [m] */
  featureDensity: Float32Array;
  /** fraction of latents that never fire on these rows */
  deadFraction: number;
}

export interface EvalOptions {
  batchSize: number;
  /** The SAE reads s·x (training-time input scaling); metrics are reported for x. */
  inputScale?: number;
  signal?: AbortSignal;
}

/** Runs the SAE forward over `rows` of the source and accumulates the metrics in float64. */
export async function evaluateSae(gpu: Gpu, sae: SaeGpu, source: TrainingSource, rows: Int32Array, opts: EvalOptions): Promise<EvalMetrics> {
  const { d, m } = sae;
  const s = opts.inputScale ?? 1;
  const full = createWorkspace(sae, Math.min(opts.batchSize, Math.max(rows.length, 1)));
  const scratch = gpu.empty([m], 'f32', 'sae.eval.scratch');
  let sse = 0;
  let l0 = 0;
  const fires = new Float64Array(m);
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  try {
    for (let start = 0; start < rows.length; start += full.rows) {
      throwIfAborted(opts.signal, 'evaluation');
      const idx = rows.subarray(start, start + full.rows);
      const x = await source.readRows(idx);
      for (let r = 0; r < idx.length; r++) {
        for (let c = 0; c < d; c++) {
          const v = x[r * d + c];
          sum[c] += v;
          sumSq[c] += v * v;
        }
      }
      if (s !== 1) for (let i = 0; i < x.length; i++) x[i] *= s;
      const ws = sliceWorkspace(full, idx.length);
      gpu.write(ws.x, x);
      await forward(gpu, sae, ws);
      await residual(gpu, ws.xhat, ws.x, ws.gxhat, ws.sse, 0);
      if (ws.topk) {
        await buildCsr(gpu, ws.topk.code.idx, m, ws.topk.csr);
        await sparseLatentSums(gpu, ws.topk.csr, ws.topk.code.val, ws.topk.code.val, scratch, ws.latStats, { stats: true });
      } else {
        const arch = sae.arch === 'jumprelu' ? 'jumprelu' : 'relu';
        for (let i = 0; i < sae.shards.length; i++) {
          await latentGrad(gpu, arch, { pre: ws.pre[i], coef: arch === 'relu' ? ws.norms : sae.theta!, latStats: ws.latStats }, sae.shards[i].c0, 0, 1);
        }
      }
      const rowSse = await gpu.read(ws.sse);
      const lat = await gpu.read(ws.latStats);
      for (const v of rowSse) sse += v;
      for (let i = 0; i < m; i++) {
        fires[i] += lat[i * 4];
        l0 += lat[i * 4];
      }
    }
  } finally {
    releaseWorkspace(gpu, full);
    gpu.release(scratch);
  }
  const n = rows.length;
  let centered = 0;
  let total = 0;
  for (let c = 0; c < d; c++) {
    centered += sumSq[c] - (sum[c] * sum[c]) / n;
    total += sumSq[c];
  }
  const sseRaw = sse / (s * s);
  const density = Float32Array.from(fires, (f) => f / n);
  return {
    rows: n, mse: sseRaw / (n * d), fvu: sseRaw / centered, nmseUncentered: sseRaw / total, meanL0: l0 / n,
    featureDensity: density, deadFraction: density.filter((f) => f === 0).length / m,
  };
}
