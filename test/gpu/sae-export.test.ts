import { describe, expect, it } from 'vitest';
import { loadSaelens, modelFilesFromMap, parseGemmaScopeNpz } from '../../src/formats/index.js';
import {
  arraySource, evaluateSae, gemmaScopeNpz, resolveTrainConfig, SaeGpu, saelensFiles, splitHeldOut, toSaeWeights, trainSae,
  type SaeParams,
} from '../../src/sae/index.js';
import type { SaeWeights } from '../../src/formats/index.js';
import { relError } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { trainingData } from '../helpers/sae-fixtures.js';
import { TOL } from '../tolerances.js';

function asParams(w: SaeWeights): SaeParams {
  return { arch: w.architecture, d: w.dIn, m: w.dSae, k: w.k, W_enc: w.W_enc, b_enc: w.b_enc, W_dec: w.W_dec, b_dec: w.b_dec, applyBDecToInput: w.applyBDecToInput };
}

describe('exported SAEs load back and reproduce the held-out metrics', () => {
  // inputScale 2 is folded into the exported weights exactly (a power of two), so decisions cannot flip.
  for (const [arch, inputScale] of [['topk', 1], ['jumprelu', 2], ['relu', 0.5]] as const) {
    it(`${arch} (input scale ${inputScale}): SAELens folder and Gemma Scope npz`, async () => {
      const gpu = await testGpu();
      const data = await trainingData();
      const source = arraySource(data, 64);
      const { train, heldOut } = splitHeldOut(source.count, 0.125, 3);
      const cfg = resolveTrainConfig({
        arch, d: 64, m: 128, steps: 20, batchSize: 64, lr: 0.003, k: 6, l1Coefficient: 0.3, l0Coefficient: 0.1, bandwidth: 0.05,
        inputScale, seed: 11,
      });
      const res = await trainSae(gpu, cfg, { source, trainRows: train, heldOutRows: heldOut });
      const trained = res.evals.at(-1)!.metrics;
      expect(res.evals.at(-1)!.step).toBe(20);
      const weights = toSaeWeights(res.params, { threshold: res.threshold, inputScale: cfg.inputScale });
      const files = saelensFiles(weights, cfg, { featureDensity: trained.featureDensity });
      const cfgJson = JSON.parse(new TextDecoder().decode(files['cfg.json'])) as Record<string, unknown>;
      expect(cfgJson.normalize_activations).toBe('none');
      const loadedFromSaelens = await loadSaelens(modelFilesFromMap({ 'cfg.json': files['cfg.json'], 'sae_weights.safetensors': files['sae_weights.safetensors'] }, 'exported'));
      const loadedFromNpz = parseGemmaScopeNpz(gemmaScopeNpz(weights), 'params.npz');
      const candidates: [string, SaeWeights][] = [['SAELens', loadedFromSaelens]];
      if (arch === 'jumprelu') candidates.push(['Gemma Scope npz', loadedFromNpz]);
      else expect(loadedFromNpz.W_dec).toEqual(weights.W_dec);
      for (const [what, w] of candidates) {
        const sae = SaeGpu.upload(gpu, asParams(w), { rows: 64, threshold: w.threshold });
        const m = await evaluateSae(gpu, sae, source, heldOut, { batchSize: 64 });
        sae.release();
        expect(relError([m.mse], [trained.mse]), `${what} mse`).toBeLessThanOrEqual(TOL.saeMetrics);
        expect(relError([m.fvu], [trained.fvu]), `${what} fvu`).toBeLessThanOrEqual(TOL.saeMetrics);
        expect(m.meanL0, `${what} L0`).toBe(trained.meanL0);
        expect([...m.featureDensity], `${what} feature density`).toEqual([...trained.featureDensity]);
      }
    });
  }
});
