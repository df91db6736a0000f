import type { TrainConfig } from './config.js';

/** Learning rate of step t (0-based): linear warm-up, constant, then linear decay to 0 over the last lrDecaySteps. */
export function lrAt(c: Pick<TrainConfig, 'lr' | 'steps' | 'lrWarmupSteps' | 'lrDecaySteps'>, t: number): number {
  let f = 1;
  if (c.lrWarmupSteps > 0 && t < c.lrWarmupSteps) f = (t + 1) / c.lrWarmupSteps;
  const decayStart = c.steps - c.lrDecaySteps;
  if (c.lrDecaySteps > 0 && t >= decayStart) f = Math.min(f, (c.steps - t) / c.lrDecaySteps);
  return c.lr * f;
}

/** Sparsity coefficient of step t: linear warm-up from λ/warmup to λ over coefWarmupSteps. */
export function coefAt(lambda: number, warmupSteps: number, t: number): number {
  return warmupSteps > 0 && t < warmupSteps ? (lambda * (t + 1)) / warmupSteps : lambda;
}
