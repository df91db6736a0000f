import { describe, expect, it } from 'vitest';
import { resolveTrainConfig, SaeTrainer } from '../../src/sae/index.js';
import { relError } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { gatherRows, loadTrainingFixture, npyI32, sortedRows } from '../helpers/sae-fixtures.js';
import { TOL } from '../tolerances.js';

// A tiny artificial binding limit splits the 256 latents into shards (W_enc/W_dec rows, activations and
// Adam state per shard; TopK selects per shard and merges). The fixtures' first steps must come out the same.
const STEPS = 8;

describe('latents split across bindings (artificial maxStorageBufferBindingSize)', () => {
  for (const [arch, limit, shards] of [['topk', 64 * 256, 4], ['jumprelu', 85 * 256, 4], ['relu', 128 * 256, 2]] as const) {
    it(`${arch} in ${shards} shards reproduces the fixture's first ${STEPS} steps`, async () => {
      const gpu = await testGpu();
      const f = await loadTrainingFixture(arch);
      const h = f.hyper;
      const cfg = resolveTrainConfig({
        arch, d: 64, m: 256, steps: STEPS, batchSize: 64, lr: h.lr, k: h.k ?? 1, l1Coefficient: h.l1_coefficient ?? 0,
        l0Coefficient: h.l0_coefficient ?? 0, bandwidth: h.bandwidth ?? 1, deadWindowTokens: 1 << 30, maxBindingBytes: limit,
      });
      const tr = await SaeTrainer.create(gpu, cfg, { params: f.init, step: 0 });
      expect(tr.sae.shards.length).toBe(shards);
      const topkRef = arch === 'topk' ? await npyI32('training/topk/topk_indices.npy') : null;
      for (let t = 0; t < STEPS; t++) {
        await tr.forwardBackward(gatherRows(f.data, 64, f.order.subarray(t * 64, (t + 1) * 64)));
        if (topkRef && tr.ws.topk) {
          const idx = sortedRows(new Uint32Array(await gpu.readBytes(tr.ws.topk.code.idx)), 4);
          expect([...idx], `step ${t} TopK indices`).toEqual([...topkRef.subarray(t * 64 * 4, (t + 1) * 64 * 4)]);
        }
        await tr.projectGradients();
        await tr.applyUpdate();
      }
      for (const s of await tr.drainLog()) {
        expect(relError([s.loss], [f.loss[s.step]]), `step ${s.step} loss`).toBeLessThanOrEqual(TOL.trainLoss);
        if (arch !== 'relu') expect(s.l0, `step ${s.step} L0`).toBeCloseTo(f.l0[s.step], 6);
      }
      tr.release();
    });
  }
});
