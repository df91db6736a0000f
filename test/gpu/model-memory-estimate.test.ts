// The memory estimate shown in setup against what a load and a full batch actually allocate (the pool's high-water mark).
import { describe, expect, it } from 'vitest';
import { SafetensorsCheckpoint, type Gemma2Config } from '../../src/formats/index.js';
import { acquireGpu } from '../../src/gpu/index.js';
import { estimateMemory, GemmaEngine, type ModelDtype } from '../../src/model/index.js';
import { fixtureIds, fixtureModel } from '../helpers/model.js';
import { MIDSIZE, midsizeCheckpoint } from '../helpers/midsize-model.js';

async function measure(checkpoint: SafetensorsCheckpoint, config: Gemma2Config, dtype: ModelDtype, layers: number[], ids: Int32Array, batch: number, seq: number): Promise<{ peak: number; estimate: number }> {
  const gpu = await acquireGpu();
  try {
    const engine = await GemmaEngine.load(gpu, checkpoint, config, [], { dtype, layers, maxBatchTokens: batch * seq, logits: true });
    const out = await engine.forward(ids, batch, seq);
    await gpu.sync();
    const peak = gpu.pool.peakAllocatedBytes;
    out.release();
    engine.dispose();
    const estimate = estimateMemory(config, { dtype, layers, adapters: 0, batchTokens: batch * seq, logits: true, loraParams: 0 }).bytes;
    return { peak, estimate };
  } finally {
    gpu.destroy();
  }
}

describe('memory estimate vs the pool high-water mark of a real load + forward', () => {
  const cases: [string, () => Promise<{ checkpoint: SafetensorsCheckpoint; config: Gemma2Config; ids: Int32Array; batch: number; seq: number }>][] = [
    ['fixture model', async () => ({ ...(await fixtureModel()), ...(await fixtureIds('reference/input_ids.npy')) })],
    ['mid-size model (26 layers, head_dim 256)', async () => ({ checkpoint: await SafetensorsCheckpoint.open(midsizeCheckpoint().files), config: MIDSIZE, ids: Int32Array.from({ length: 16 }, (_, i) => (i * 31) % MIDSIZE.vocabSize), batch: 2, seq: 8 })],
  ];
  for (const [name, make] of cases) {
    for (const dtype of ['f32', 'q4'] as const) {
      it(`${name}, ${dtype}: the estimate covers the peak and is within 25% of it`, async () => {
        const m = await make();
        const layers = [m.config.numHiddenLayers - 1];
        const { peak, estimate } = await measure(m.checkpoint, m.config, dtype, layers, m.ids, m.batch, m.seq);
        console.log(`${name} ${dtype}: estimate ${estimate} B, pool peak ${peak} B (${((estimate / peak - 1) * 100).toFixed(1)}%)`);
        expect(estimate).toBeGreaterThanOrEqual(peak);
        expect(estimate).toBeLessThanOrEqual(peak * 1.25);
      });
    }
  }
});
