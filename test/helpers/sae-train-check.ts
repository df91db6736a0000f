import { expect } from 'vitest';
import { resolveTrainConfig, SaeTrainer, type ParamTensors, type SaeParams } from '../../src/sae/index.js';
import { expectRel, relError } from './assert.js';
import { testGpu } from './gpu.js';
import { gatherRows, loadTrainingFixture, npyI32, PARAM_TOL, sortedRows, type FixtureArch, type TrainingFixture } from './sae-fixtures.js';
import { TOL } from '../tolerances.js';

const PARAMS: Record<FixtureArch, string[]> = {
  relu: ['W_enc', 'b_enc', 'W_dec', 'b_dec'],
  topk: ['W_enc', 'b_enc', 'W_dec', 'b_dec'],
  jumprelu: ['W_enc', 'b_enc', 'W_dec', 'b_dec', 'log_theta'],
};

function configOf(f: TrainingFixture) {
  const h = f.hyper;
  return resolveTrainConfig({
    arch: f.arch, d: h.d, m: h.m, steps: h.steps, batchSize: h.batch_size, lr: h.lr,
    k: h.k ?? 1, l1Coefficient: h.l1_coefficient ?? 0, l0Coefficient: h.l0_coefficient ?? 0, bandwidth: h.bandwidth ?? 1,
    auxK: 0, deadWindowTokens: 1 << 30,
  });
}

function tensorsOf(p: SaeParams): ParamTensors {
  return { W_enc: p.W_enc, b_enc: p.b_enc, W_dec: p.W_dec, b_dec: p.b_dec, ...(p.log_theta ? { log_theta: p.log_theta } : {}) };
}

async function expectParams(got: ParamTensors, file: TrainingFixture['files']['final'], names: string[], tol: number, what: string, worst: Record<string, number>): Promise<void> {
  for (const n of names) worst[`${what}.${n}`] = expectRel(got[n], await file.readF32(n), tol, `${what} ${n}`);
}

/**
 * Runs the fixtures' 50-step training of `arch` from init.safetensors in the order of batch_indices.npy and
 * checks every step's loss/mse/L0 (and TopK selections, JumpReLU window counts), the step-0 gradients,
 * after_step1 and final parameters. Returns the worst relative error per quantity.
 */
export async function checkFixtureRun(arch: FixtureArch): Promise<Record<string, number>> {
  const paramTol = PARAM_TOL[arch];
  const gpu = await testGpu();
  const f = await loadTrainingFixture(arch);
  const cfg = configOf(f);
  const tr = await SaeTrainer.create(gpu, cfg, { params: f.init, step: 0 });
  const B = cfg.batchSize;
  const d = cfg.d;
  const worst: Record<string, number> = {};
  const topkRef = arch === 'topk' ? await npyI32('training/topk/topk_indices.npy') : null;
  const windowRef = arch === 'jumprelu' ? await npyI32('training/jumprelu/window_count.npy') : null;
  for (let t = 0; t < cfg.steps; t++) {
    const batch = gatherRows(f.data, d, f.order.subarray(t * B, (t + 1) * B));
    await tr.forwardBackward(batch);
    if (topkRef && tr.ws.topk) {
      const idx = sortedRows(new Uint32Array(await gpu.readBytes(tr.ws.topk.code.idx)), cfg.k);
      const ref = topkRef.subarray(t * B * cfg.k, (t + 1) * B * cfg.k);
      const firstDiff = idx.findIndex((v, i) => v !== ref[i]);
      expect(firstDiff, `step ${t}: TopK indices differ at slot ${firstDiff}`).toBe(-1);
    }
    if (t === 0) await expectParams(await tr.opt.read('g'), f.files.grads_step0, PARAMS[arch], TOL.grads, 'grads_step0', worst);
    await tr.projectGradients();
    if (t === 0 && arch === 'jumprelu') {
      const projected = (await tr.opt.read('g')).W_dec;
      worst['grads_step0.W_dec_projected'] = expectRel(projected, await f.files.grads_step0.readF32('W_dec_projected'), TOL.grads, 'W_dec_projected');
    }
    await tr.applyUpdate();
    if (t === 0) await expectParams(tensorsOf(await tr.sae.download()), f.files.after_step1, PARAMS[arch], paramTol, 'after_step1', worst);
  }
  const log = await tr.drainLog();
  expect(log.length).toBe(cfg.steps);
  let lossWorst = 0;
  for (const s of log) {
    const e = relError([s.loss], [f.loss[s.step]]);
    lossWorst = Math.max(lossWorst, e);
    expect(e, `step ${s.step}: loss ${s.loss} vs ${f.loss[s.step]}`).toBeLessThanOrEqual(TOL.trainLoss);
    // ReLU pre-activations come within 4e-8 of 0 (hyper.json relu_min_abs_pre) and carry no decision margin,
    // so float32 drift may flip a few of the ~6000 active (row, latent) pairs without moving the loss (1e-3
    // relative); TopK and JumpReLU have margins (topk_gap, margins.npy) and their decisions must be exact.
    const l0Tol = arch === 'relu' ? 1e-3 * f.l0[s.step] : 1e-6;
    expect(Math.abs(s.l0 - f.l0[s.step]), `step ${s.step}: l0 ${s.l0} vs ${f.l0[s.step]}`).toBeLessThanOrEqual(l0Tol);
    expect(relError([s.mse], [f.mse[s.step]]), `step ${s.step}: mse`).toBeLessThanOrEqual(TOL.trainLoss);
    if (windowRef) expect(s.windowPairs, `step ${s.step}: window pairs`).toBe(windowRef[s.step]);
  }
  worst.loss = lossWorst;
  await expectParams(tensorsOf(await tr.sae.download()), f.files.final, PARAMS[arch], paramTol, 'final', worst);
  tr.release();
  return worst;
}
