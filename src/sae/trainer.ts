import type { Gpu, GpuTensor } from '../gpu/index.js';
import { backward } from './backward.js';
import { auxEnabled, type TrainConfig } from './config.js';
import { forward } from './forward.js';
import { normaliseRows, projectRows } from './kernels/sae-rows.js';
import { STATS_FIELDS, stepStats } from './kernels/sae-stats.js';
import { SaeOptimizer, type ParamTensors } from './optimizer.js';
import { SaeGpu, type SaeParams } from './sae-gpu.js';
import { coefAt, lrAt } from './schedule.js';
import { createWorkspace, releaseWorkspace, type Workspace } from './workspace.js';

/** Statistics of training step t, measured on its batch with the parameters before update t. */
export interface StepLog {
  step: number;
  loss: number;
  mse: number;
  l1: number;
  l0: number;
  /** AuxK term (before its coefficient); 0 when off */
  aux: number;
  /** JumpReLU: (row, latent) pairs inside the kernel window */
  windowPairs: number;
  /** latents that had not fired for deadWindowTokens tokens before this step */
  deadLatents: number;
  lr: number;
}

/** Everything a trainer holds besides the configuration; restored as a whole from a checkpoint. */
export interface TrainerState {
  params: SaeParams;
  /** completed updates */
  step: number;
  adamM?: ParamTensors;
  adamV?: ParamTensors;
  /** [m] tokens since each latent last fired */
  since?: Uint32Array;
  /** [4] dead count, AuxK scale */
  dead?: Float32Array;
}

const STATS_SLOTS = 256;

/**
 * One SAE in training on one device: parameters, Adam state, per-batch buffers and dead-latent window.
 * A step is forwardBackward → projectGradients → applyUpdate (trainStep runs all three).
 */
export class SaeTrainer {
  readonly sae: SaeGpu;
  readonly opt: SaeOptimizer;
  readonly ws: Workspace;
  /** completed updates; the next forwardBackward measures step `step` */
  step: number;
  private readonly since: GpuTensor;
  private readonly dead: GpuTensor;
  private readonly stats: GpuTensor;
  private drained: number;
  private readonly lrs = new Map<number, number>();

  private constructor(
    readonly gpu: Gpu,
    readonly cfg: TrainConfig,
    state: TrainerState,
  ) {
    const p = state.params;
    if (p.d !== cfg.d || p.m !== cfg.m || p.arch !== cfg.arch) throw new Error(`parameters are ${p.arch} [${p.d}, ${p.m}], config says ${cfg.arch} [${cfg.d}, ${cfg.m}]`);
    this.sae = SaeGpu.upload(gpu, { ...p, k: cfg.arch === 'topk' ? cfg.k : undefined, applyBDecToInput: cfg.applyBDecToInput }, { rows: cfg.batchSize, maxBindingBytes: cfg.maxBindingBytes });
    this.opt = new SaeOptimizer(gpu, this.sae);
    if (state.adamM) this.opt.write('m', state.adamM);
    if (state.adamV) this.opt.write('v', state.adamV);
    this.ws = createWorkspace(this.sae, cfg.batchSize, auxEnabled(cfg) ? cfg.auxK : 0);
    this.since = gpu.upload(state.since ?? new Uint32Array(cfg.m), [cfg.m], 'u32', 'sae.since');
    this.dead = gpu.upload(state.dead ?? new Float32Array(4), [4], 'f32', 'sae.dead');
    this.stats = gpu.empty([STATS_SLOTS, STATS_FIELDS], 'f32', 'sae.stats');
    this.step = state.step;
    this.drained = state.step;
  }

  /** A trainer with its JumpReLU thresholds computed on the GPU, so fresh and resumed runs start from identical theta. */
  static async create(gpu: Gpu, cfg: TrainConfig, state: TrainerState): Promise<SaeTrainer> {
    const tr = new SaeTrainer(gpu, cfg, state);
    await tr.sae.refreshThreshold();
    return tr;
  }

  /** Forward and backward of step `this.step` on a host batch [batchSize, d] (already scaled), plus its statistics. */
  async forwardBackward(batch: Float32Array): Promise<void> {
    const { gpu, cfg, ws, sae } = this;
    if (batch.length !== cfg.batchSize * cfg.d) throw new Error(`batch has ${batch.length} values, expected ${cfg.batchSize}×${cfg.d}`);
    if (this.step - this.drained >= STATS_SLOTS) throw new Error('statistics buffer full: call drainLog() at least every 256 steps');
    gpu.checkAlive();
    gpu.write(ws.x, batch);
    await forward(gpu, sae, ws);
    const t = this.step;
    const lam = coefAt(cfg.arch === 'relu' ? cfg.l1Coefficient : cfg.l0Coefficient, cfg.coefWarmupSteps, t);
    await backward(gpu, sae, ws, this.opt, cfg, { lam }, { since: this.since, dead: this.dead });
    await stepStats(gpu, {
      sse: ws.sse, auxSse: ws.aux?.sse, latStats: ws.latStats, norms: ws.norms, since: this.since, dead: this.dead, out: this.stats,
    }, {
      arch: cfg.arch, slot: t % STATS_SLOTS, lam, auxCoef: auxEnabled(cfg) ? cfg.auxCoefficient : 0,
      kAux: auxEnabled(cfg) ? cfg.auxK : 0, window: cfg.deadWindowTokens, updateDead: true,
    });
  }

  /** JumpReLU: removes each decoder-row gradient's component along its row (before Adam). */
  async projectGradients(): Promise<void> {
    if (this.cfg.arch !== 'jumprelu') return;
    for (let i = 0; i < this.sae.shards.length; i++) await projectRows(this.gpu, this.sae.shards[i].wDec, this.opt.gWDec[i]);
  }

  /** Adam update number step + 1, then unit-norm decoder rows (TopK, JumpReLU). */
  async applyUpdate(): Promise<void> {
    const { cfg } = this;
    const lr = lrAt(cfg, this.step);
    this.lrs.set(this.step, lr);
    await this.opt.update(this.step + 1, { lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.adamEps });
    if (cfg.arch !== 'relu') for (const s of this.sae.shards) await normaliseRows(this.gpu, s.wDec);
    await this.sae.refreshThreshold();
    this.step++;
    this.gpu.flush();
  }

  async trainStep(batch: Float32Array): Promise<void> {
    await this.forwardBackward(batch);
    await this.projectGradients();
    await this.applyUpdate();
  }

  /** Statistics of the steps measured since the last drain (waits for the GPU). */
  async drainLog(): Promise<StepLog[]> {
    const upto = this.step;
    if (upto === this.drained) return [];
    const data = await this.gpu.read(this.stats);
    const out: StepLog[] = [];
    for (let t = this.drained; t < upto; t++) {
      const r = (t % STATS_SLOTS) * STATS_FIELDS;
      out.push({
        step: t, loss: data[r], mse: data[r + 1], l1: data[r + 2], l0: data[r + 3], aux: data[r + 4],
        windowPairs: data[r + 5], deadLatents: data[r + 6], lr: this.lrs.get(t) ?? lrAt(this.cfg, t),
      });
      this.lrs.delete(t);
    }
    this.drained = upto;
    return out;
  }

  /** Parameters, Adam state, step and dead-latent window, in host layout (drain the log first). */
  async state(): Promise<Required<TrainerState>> {
    const params = await this.sae.download();
    return {
      params,
      step: this.step,
      adamM: await this.opt.read('m'),
      adamV: await this.opt.read('v'),
      since: new Uint32Array(await this.gpu.readBytes(this.since)),
      dead: await this.gpu.read(this.dead),
    };
  }

  /** Latents dead by the window, from the GPU's counters. */
  async deadMask(): Promise<Uint8Array> {
    const since = new Uint32Array(await this.gpu.readBytes(this.since));
    return Uint8Array.from(since, (s) => (s >= this.cfg.deadWindowTokens ? 1 : 0));
  }

  release(): void {
    releaseWorkspace(this.gpu, this.ws);
    this.opt.release();
    this.sae.release();
    this.gpu.release(this.since, this.dead, this.stats);
  }
}
