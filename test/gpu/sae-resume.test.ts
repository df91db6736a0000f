import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../../src/gpu/index.js';
import { arraySource, checkpointFromBytes, checkpointToBytes, resolveTrainConfig, trainSae, type SaeCheckpoint, type TrainConfig } from '../../src/sae/index.js';
import { testGpu } from '../helpers/gpu.js';
import { trainingData } from '../helpers/sae-fixtures.js';

// Small runs on fixtures/training/data.npy with seeded shuffles; AuxK and a short dead window make the
// checkpoint carry live dead-latent state, and L0/L1 warm-up and LR decay make it carry the schedule position.
const STEPS = 24;
const CUT = 10;

function configFor(arch: TrainConfig['arch']): TrainConfig {
  return resolveTrainConfig({
    arch, d: 64, m: 96, steps: STEPS, batchSize: 32, lr: 0.004, k: 4, auxK: 8, auxCoefficient: 1 / 32, deadWindowTokens: 64,
    l1Coefficient: 0.5, l0Coefficient: 0.2, bandwidth: 0.04, coefWarmupSteps: 6, lrWarmupSteps: 4, lrDecaySteps: 8, seed: 7,
  });
}

describe('SAE training resumes from a checkpoint on the same trajectory', () => {
  for (const arch of ['topk', 'jumprelu', 'relu'] as const) {
    it(`${arch}: ${CUT} steps, checkpoint bytes, a fresh device, ${STEPS - CUT} more = one uninterrupted run`, async () => {
      const gpu = await testGpu();
      const source = arraySource(await trainingData(), 64);
      const cfg = configFor(arch);
      const whole = await trainSae(gpu, cfg, { source, logEvery: 8 });
      let saved: SaeCheckpoint | null = null;
      await trainSae(gpu, cfg, { source, stopAt: CUT, checkpointEvery: 5, onCheckpoint: (ck) => void (saved = ck) });
      expect(saved).not.toBeNull();
      const ck = await checkpointFromBytes(checkpointToBytes(saved!), 'resume.safetensors');
      expect(ck.state.step).toBe(5);
      const fresh = await acquireGpu();
      try {
        const resumed = await trainSae(fresh, cfg, { source, resume: ck });
        expect(resumed.log.length).toBe(STEPS);
        for (let t = 0; t < STEPS; t++) {
          expect(resumed.log[t], `step ${t}`).toEqual(whole.log[t]);
        }
        if (arch === 'topk') expect(whole.log.some((s) => s.deadLatents > 0 && s.aux > 0), 'AuxK was active').toBe(true);
        expect(resumed.params.W_dec).toEqual(whole.params.W_dec);
      } finally {
        fresh.destroy();
      }
    });
  }
});
