import { resolveTrainConfig, type SaeArch, type TrainConfig } from '../sae/index.js';
import type { RunConfig } from './run-config.js';

/** How a run-config SAE maps onto the trainer's configuration; inputs are scaled so that E‖x‖ = √d. */
export function trainConfigOf(config: RunConfig, d: number, inputScale: number, seed: number): TrainConfig {
  const s = config.sae;
  const arch: SaeArch = s.architecture === 'relu-l1' ? 'relu' : s.architecture;
  return resolveTrainConfig({
    arch,
    d,
    m: s.width,
    steps: s.steps,
    batchSize: s.batchSize,
    lr: s.lr,
    ...(s.k !== undefined ? { k: s.k } : {}),
    ...(s.l1 !== undefined ? { l1Coefficient: s.l1 } : {}),
    ...(s.l0 !== undefined ? { l0Coefficient: s.l0 } : {}),
    ...(s.bandwidth !== undefined ? { bandwidth: s.bandwidth } : {}),
    ...(s.threshold !== undefined ? { initThreshold: s.threshold } : {}),
    // AuxK revives dead TopK latents (Gao et al. 2024): k_aux = d/2, α = 1/32.
    ...(arch === 'topk' ? { auxK: Math.min(s.width, Math.max(1, Math.floor(d / 2))), auxCoefficient: 1 / 32 } : {}),
    deadWindowTokens: s.batchSize * 50,
    lrWarmupSteps: s.warmupSteps,
    lrDecaySteps: Math.floor(s.steps / 5),
    coefWarmupSteps: arch === 'topk' ? 0 : Math.floor(s.steps / 10),
    inputScale,
    evalEvery: s.evalEvery,
    seed,
  });
}
