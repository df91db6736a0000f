import { expect, it } from 'vitest';
import { checkFixtureRun } from '../helpers/sae-train-check.js';
import { TOL } from '../tolerances.js';

it('jumprelu SAE training reproduces fixtures/training/jumprelu step for step (threshold window and mask decisions exact)', async () => {
  const worst = await checkFixtureRun('jumprelu');
  console.log('jumprelu worst relative errors', JSON.stringify(worst));
  expect(worst.loss).toBeLessThanOrEqual(TOL.trainLoss);
});
