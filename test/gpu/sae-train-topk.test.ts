import { expect, it } from 'vitest';
import { checkFixtureRun } from '../helpers/sae-train-check.js';
import { TOL } from '../tolerances.js';

it('topk SAE training reproduces fixtures/training/topk step for step (TopK indices identical at every step)', async () => {
  const worst = await checkFixtureRun('topk');
  console.log('topk worst relative errors', JSON.stringify(worst));
  expect(worst.loss).toBeLessThanOrEqual(TOL.trainLoss);
});
