import { expect, it } from 'vitest';
import { checkFixtureRun } from '../helpers/sae-train-check.js';
import { TOL } from '../tolerances.js';

it('relu SAE training reproduces fixtures/training/relu step for step', async () => {
  const worst = await checkFixtureRun('relu');
  console.log('relu worst relative errors', JSON.stringify(worst));
  expect(worst.loss).toBeLessThanOrEqual(TOL.trainLoss);
});
