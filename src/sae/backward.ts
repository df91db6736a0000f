import type { Gpu, GpuTensor } from '../gpu/index.js';
import type { TrainConfig } from './config.js';
import { decodeSparse, selectTopk } from './forward.js';
import { buildCsr } from './kernels/sae-csr.js';
import { latentGrad } from './kernels/sae-latent-grad.js';
import { matmulABt, matmulAtB, rowTimesMatrix } from './products.js';
import { residual } from './kernels/sae-residual.js';
import { addL1DecoderGrad } from './kernels/sae-rows.js';
import { columnSum } from './kernels/sae-rowvec.js';
import { sparseDot } from './kernels/sae-sparse-gather.js';
import { sparseLatentSums } from './kernels/sae-sparse-latent.js';
import { sparseWeightGrads } from './kernels/sae-sparse-outer.js';
import type { SaeOptimizer } from './optimizer.js';
import type { SaeGpu } from './sae-gpu.js';
import type { SparseScratch, Workspace } from './workspace.js';

/** Dead-latent state the AuxK term reads: since [m] u32 and dead [4] (count, scale). */
export interface DeadState {
  since: GpuTensor;
  dead: GpuTensor;
}

/** Step-dependent coefficients. */
export interface StepCoefficients {
  /** L1 (ReLU) or L0 (JumpReLU) coefficient of this step, after warm-up */
  lam: number;
}

/**
 * Gradients of this step's loss w.r.t. every parameter into opt.g*, plus ws.sse / ws.latStats for the
 * statistics. Assumes forward() ran on ws. Update rules: fixtures README §7 (ReLU, TopK) and §7b (JumpReLU).
 */
export async function backward(gpu: Gpu, sae: SaeGpu, ws: Workspace, opt: SaeOptimizer, cfg: TrainConfig, coef: StepCoefficients, dead: DeadState): Promise<void> {
  const B = ws.rows;
  await residual(gpu, ws.xhat, ws.x, ws.gxhat, ws.sse, 2 / B);
  if (ws.topk) await topkBackward(gpu, sae, ws, opt, ws.topk, false);
  else await denseBackward(gpu, sae, ws, opt, cfg, coef);
  await columnSum(gpu, ws.gxhat, opt.gBDec);
  if (ws.aux && cfg.auxCoefficient > 0) {
    const aux = ws.aux;
    await selectTopk(gpu, sae, ws.pre, aux, { since: dead.since, window: cfg.deadWindowTokens });
    await decodeSparse(gpu, sae, aux.code, aux.ehat, false);
    await residual(gpu, aux.ehat, ws.x, aux.gehat, aux.sse, (2 * cfg.auxCoefficient) / B, { extra: ws.xhat, scale: dead.dead });
    await topkBackward(gpu, sae, { ...ws, gxhat: aux.gehat }, opt, aux, true);
  }
  if (sae.applyBDecToInput) {
    // x_in = x − b_dec: d loss / d b_dec gains −W_enc·(d loss / d b_enc), summed shard by shard
    for (let i = 0; i < sae.shards.length; i++) {
      const s = sae.shards[i];
      await rowTimesMatrix(gpu, opt.gBEnc, s.c0, s.wEncT, opt.gBDec, { alpha: -1, beta: 1 });
    }
  }
}

async function denseBackward(gpu: Gpu, sae: SaeGpu, ws: Workspace, opt: SaeOptimizer, cfg: TrainConfig, coef: StepCoefficients): Promise<void> {
  const arch = sae.arch === 'jumprelu' ? 'jumprelu' : 'relu';
  for (let i = 0; i < sae.shards.length; i++) {
    const s = sae.shards[i];
    await matmulABt(gpu, ws.gxhat, s.wDec, ws.gf[i]);
    await latentGrad(gpu, arch, {
      pre: ws.pre[i], gf: ws.gf[i], coef: arch === 'relu' ? ws.norms : sae.theta!, gpre: ws.gpre[i],
      dbias: opt.gBEnc, dlogTheta: opt.gLogTheta ?? undefined, latStats: ws.latStats,
    }, s.c0, coef.lam, cfg.bandwidth);
    await matmulAtB(gpu, ws.f[i], ws.gxhat, opt.gWDec[i]);
    if (arch === 'relu') await addL1DecoderGrad(gpu, s.wDec, opt.gWDec[i], ws.norms, ws.latStats, s.c0, coef.lam / ws.rows);
    await matmulAtB(gpu, ws.gpre[i], ws.xin, opt.gWEncT[i]);
  }
}

/**
 * Backward through a TopK code (gxhat = d loss / d decoder output): only the k selected decoder and
 * encoder rows are touched, through the code's CSR lists. `accumulate` adds to the gradients (AuxK).
 */
async function topkBackward(gpu: Gpu, sae: SaeGpu, ws: Workspace, opt: SaeOptimizer, s: SparseScratch, accumulate: boolean): Promise<void> {
  const beta = accumulate ? 1 : 0;
  for (const sh of sae.shards) await sparseDot(gpu, s.code, { w: sh.wDec, c0: sh.c0 }, ws.gxhat, s.gval);
  await buildCsr(gpu, s.code.idx, sae.m, s.csr);
  for (let i = 0; i < sae.shards.length; i++) {
    const sh = sae.shards[i];
    await sparseWeightGrads(gpu, s.csr, { val: s.code.val, g: s.gval, gy: ws.gxhat, x: ws.xin, dDec: opt.gWDec[i], dEnc: opt.gWEncT[i] }, sh.c0, beta);
  }
  await sparseLatentSums(gpu, s.csr, s.code.val, s.gval, opt.gBEnc, ws.latStats, { stats: !accumulate, beta });
}

