import { expect, it } from 'vitest';
import { forceVariantFamily } from '../../src/gpu/index.js';
import { testGpu } from '../helpers/gpu.js';
import { checkFixtureRun } from '../helpers/sae-train-check.js';
import { TOL } from '../tolerances.js';

// The kernel variants a real GPU gets (tiled matmul, parallel atomic CSR build), forced on this adapter, so the
// path that meets a GPU is checked against the PyTorch trace here too (this file has its own page and device).
it('topk SAE training with the GPU kernel variants forced reproduces fixtures/training/topk step for step', async () => {
  const gpu = await testGpu();
  forceVariantFamily(gpu, 'gpu');
  try {
    const worst = await checkFixtureRun('topk');
    console.log('topk (GPU variants) worst relative errors', JSON.stringify(worst));
    expect(worst.loss).toBeLessThanOrEqual(TOL.trainLoss);
  } finally {
    forceVariantFamily(gpu, null);
  }
});
