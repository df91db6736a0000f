import { InputError } from '../errors/index.js';

export type SaeArch = 'relu' | 'topk' | 'jumprelu';

/** Everything that defines one training run. Fixture runs: no warm-up, no decay, no scaling, AuxK off. */
export interface TrainConfig {
  arch: SaeArch;
  /** Input width (hidden size). */
  d: number;
  /** Number of latents. */
  m: number;
  /** TopK: active latents per token. */
  k: number;
  /** ReLU: λ of λ·(1/B)Σ f_bi‖W_dec_i‖. */
  l1Coefficient: number;
  /** JumpReLU: λ of λ·L0. */
  l0Coefficient: number;
  /** JumpReLU: width ε of the rectangle kernel of the straight-through pseudo-derivatives. */
  bandwidth: number;
  /** JumpReLU: initial threshold of every latent (used when no initial parameters are given). */
  initThreshold: number;
  /** TopK: latents in the AuxK reconstruction of the residual (0 = AuxK off). */
  auxK: number;
  /** TopK: weight α of the AuxK loss (0 = off). */
  auxCoefficient: number;
  /** A latent is dead once it has not fired for this many training tokens. */
  deadWindowTokens: number;
  lr: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  steps: number;
  batchSize: number;
  /** Linear LR warm-up from lr/warmup to lr over this many steps (0 = none). */
  lrWarmupSteps: number;
  /** Linear LR decay to 0 over the last this-many steps (0 = none). */
  lrDecaySteps: number;
  /** Linear warm-up of the L1/L0 coefficient over this many steps (0 = none). */
  coefWarmupSteps: number;
  /** Subtract b_dec from the input before encoding (SAELens apply_b_dec_to_input). */
  applyBDecToInput: boolean;
  /** Inputs are multiplied by this before training (1 = none); see estimateInputScale. */
  inputScale: number;
  /** Held-out evaluation every this many steps (0 = only at the end). */
  evalEvery: number;
  /** Seed of the batch shuffle and of the initialisation. */
  seed: number;
  /** Per-binding byte limit for splitting wide matrices (default: the device's maxStorageBufferBindingSize). */
  maxBindingBytes?: number;
}

export const TRAIN_DEFAULTS: Omit<TrainConfig, 'arch' | 'd' | 'm' | 'steps' | 'batchSize' | 'lr'> = {
  k: 32,
  l1Coefficient: 5,
  l0Coefficient: 1,
  bandwidth: 0.001,
  initThreshold: 0.001,
  auxK: 0,
  auxCoefficient: 1 / 32,
  deadWindowTokens: 1_000_000,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  lrWarmupSteps: 0,
  lrDecaySteps: 0,
  coefWarmupSteps: 0,
  applyBDecToInput: false,
  inputScale: 1,
  evalEvery: 0,
  seed: 0,
};

export type TrainConfigInput = Pick<TrainConfig, 'arch' | 'd' | 'm' | 'steps' | 'batchSize' | 'lr'> & Partial<TrainConfig>;

/** Fills defaults and checks every field together, listing all problems in one InputError. */
export function resolveTrainConfig(input: TrainConfigInput, file = 'training config'): TrainConfig {
  const c: TrainConfig = { ...TRAIN_DEFAULTS, ...input };
  const problems: string[] = [];
  const posInt = (name: keyof TrainConfig, v: number): void => {
    if (!Number.isInteger(v) || v < 1) problems.push(`${name} must be a positive integer (got ${v})`);
  };
  const nonNeg = (name: keyof TrainConfig, v: number): void => {
    if (!(Number.isFinite(v) && v >= 0)) problems.push(`${name} must be a finite number ≥ 0 (got ${v})`);
  };
  if (!['relu', 'topk', 'jumprelu'].includes(c.arch)) problems.push(`arch must be relu, topk or jumprelu (got ${String(c.arch)})`);
  posInt('d', c.d);
  posInt('m', c.m);
  posInt('steps', c.steps);
  posInt('batchSize', c.batchSize);
  posInt('deadWindowTokens', c.deadWindowTokens);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) problems.push(`lr must be > 0 (got ${c.lr})`);
  for (const n of ['l1Coefficient', 'l0Coefficient', 'auxCoefficient', 'lrWarmupSteps', 'lrDecaySteps', 'coefWarmupSteps', 'evalEvery', 'auxK', 'seed'] as const) nonNeg(n, c[n]);
  if (c.arch === 'topk' && !(Number.isInteger(c.k) && c.k >= 1 && c.k <= c.m)) problems.push(`k must be an integer in 1..m=${c.m} (got ${c.k})`);
  if (c.arch === 'topk' && c.auxK > c.m) problems.push(`auxK must be ≤ m=${c.m} (got ${c.auxK})`);
  if (c.arch === 'jumprelu' && !(c.bandwidth > 0)) problems.push(`bandwidth must be > 0 (got ${c.bandwidth})`);
  if (c.arch === 'jumprelu' && !(c.initThreshold > 0 && Number.isFinite(c.initThreshold))) problems.push(`initThreshold must be > 0 (got ${c.initThreshold})`);
  if (!(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1)) problems.push('Adam betas must lie in [0, 1)');
  if (!(c.adamEps > 0)) problems.push(`adamEps must be > 0 (got ${c.adamEps})`);
  if (!(c.inputScale > 0 && Number.isFinite(c.inputScale))) problems.push(`inputScale must be > 0 (got ${c.inputScale})`);
  if (c.lrDecaySteps > c.steps) problems.push(`lrDecaySteps (${c.lrDecaySteps}) exceeds steps (${c.steps})`);
  if (c.maxBindingBytes !== undefined && !(c.maxBindingBytes >= 16)) problems.push(`maxBindingBytes must be ≥ 16 (got ${c.maxBindingBytes})`);
  if (problems.length) throw new InputError(file, problems.join('; '));
  return c;
}

/** Whether this run computes the AuxK term at all. */
export function auxEnabled(c: TrainConfig): boolean {
  return c.arch === 'topk' && c.auxK > 0 && c.auxCoefficient > 0;
}
