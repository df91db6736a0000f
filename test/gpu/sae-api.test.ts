import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors/index.js';
import { createSaeApi, type SaeCheckpoint } from '../../src/sae/index.js';
import { trainingData } from '../helpers/sae-fixtures.js';

describe('the SAE worker API (in the page, without the worker wrapper)', () => {
  it('trains with held-out metrics and SAELens files, and a cancelled job stops with a checkpoint that resumes', async () => {
    const api = createSaeApi();
    const data = await trainingData();
    const config = { arch: 'topk' as const, d: 64, m: 64, k: 4, steps: 12, batchSize: 64, lr: 0.004, seed: 2, evalEvery: 6 };
    const done = await api.train('a', { config, data, heldOutFraction: 0.1, scale: 'auto' });
    expect(done.log.length).toBe(12);
    expect(done.evals.map((e) => e.step)).toEqual([6, 12]);
    expect(done.metrics!.fvu).toBeGreaterThan(0);
    expect(Object.keys(done.saelens).sort()).toEqual(['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors']);
    expect(JSON.parse(new TextDecoder().decode(done.saelens['cfg.json'])).deltascope.input_scale).toBeCloseTo(done.checkpoint.config.inputScale, 6);

    let saved: SaeCheckpoint | null = null;
    const long = api.train('b', { config: { ...config, steps: 400 }, data }, (p) => {
      if (p.done >= 3) api.cancel('b');
    }, undefined, (ck) => void (saved = ck));
    await expect(long).rejects.toBeInstanceOf(CancelledError);
    expect(saved!.state.step).toBeGreaterThanOrEqual(3);
    const resumed = await api.train('c', { config: { ...config, steps: saved!.state.step + 2 }, data, resume: saved! });
    expect(resumed.log.length).toBe(saved!.state.step + 2);
  });
});
