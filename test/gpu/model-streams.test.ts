import { describe, expect, it } from 'vitest';
import { loadLoraAdapter, writeSafetensors, type LoraAdapter } from '../../src/formats/index.js';
import { GemmaEngine } from '../../src/model/index.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureAdapter, fixtureIds, fixtureModel, slab } from '../helpers/model.js';
import { fixtureBytes } from '../helpers/fixtures.js';

/** r4 with every lora_B set to 0: its stream must equal the base stream bit for bit. */
async function zeroBAdapter(base: Awaited<ReturnType<typeof fixtureModel>>): Promise<LoraAdapter> {
  const r4 = await fixtureAdapter('r4', base);
  const tensors: Parameters<typeof writeSafetensors>[0] = {};
  for (const t of r4.weights.tensors.values()) {
    const data = await r4.weights.readF32(t.name);
    if (t.name.includes('lora_B')) data.fill(0);
    tensors[t.name] = { dtype: 'F32', shape: [...t.shape], data };
  }
  const config = new Uint8Array(await fixtureBytes('adapters/r4/adapter_config.json'));
  return loadLoraAdapter({ config, weights: writeSafetensors(tensors) }, 'zero-b', base.config);
}

describe('LoRA streams', () => {
  it('each adapter stream equals running that adapter alone, and lora_B = 0 gives a delta of exactly 0', async () => {
    const gpu = await testGpu();
    const model = await fixtureModel();
    const adapters = [await fixtureAdapter('r8', model), await fixtureAdapter('r8-patterns', model), await zeroBAdapter(model)];
    const { ids, seq } = await fixtureIds('reference/input_ids.npy');
    // two sequences keep this file fast; layers 1 and 3 only, so unhooked layers still run
    const batch = 2;
    const two = ids.subarray(0, batch * seq);
    const opts = { dtype: 'f32' as const, layers: [1, 3] };
    const together = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, opts);
    const all = await together.forward(two, batch, seq);
    for (const [k, adapter] of adapters.entries()) {
      const alone = await GemmaEngine.load(gpu, model.checkpoint, model.config, [adapter], opts);
      const one = await alone.forward(two, batch, seq);
      for (const l of opts.layers) {
        const batched = slab(await gpu.read(all.residPost.get(l)!), k + 1, 4);
        expect(slab(await gpu.read(one.residPost.get(l)!), 1, 2), `${adapter.name} layer ${l}`).toEqual(batched);
        expect(slab(await gpu.read(one.residPost.get(l)!), 0, 2), `base layer ${l}`).toEqual(slab(await gpu.read(all.residPost.get(l)!), 0, 4));
      }
      one.release();
      alone.dispose();
    }
    for (const l of opts.layers) {
      const zero = slab(await gpu.read(all.delta.get(l)!), 2, 3);
      expect(zero.every((v) => v === 0), `zero-b delta layer ${l} is exactly 0`).toBe(true);
    }
    const zeroNorms = all.loraNorms.filter((n) => n.adapter === 'zero-b');
    expect(zeroNorms.length).toBeGreaterThan(0);
    expect(zeroNorms.every((n) => n.meanNorm === 0)).toBe(true);
    all.release();
    together.dispose();
  });

  it('splits a batch into chunks of whole sequences without changing the result', async () => {
    const gpu = await testGpu();
    const model = await fixtureModel();
    const adapters = [await fixtureAdapter('r4', model)];
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const whole = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers: [2], residMid: true });
    const chunked = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers: [2], residMid: true, maxBatchTokens: seq + 1 });
    const a = await whole.forward(ids, batch, seq);
    const b = await chunked.forward(ids, batch, seq);
    expect(await gpu.read(b.residPost.get(2)!)).toEqual(await gpu.read(a.residPost.get(2)!));
    expect(await gpu.read(b.residMid!.get(2)!)).toEqual(await gpu.read(a.residMid!.get(2)!));
    expect(await gpu.read(b.delta.get(2)!)).toEqual(await gpu.read(a.delta.get(2)!));
    for (const [i, n] of a.loraNorms.entries()) expect(b.loraNorms[i].meanNorm).toBeCloseTo(n.meanNorm, 4);
    a.release();
    b.release();
    whole.dispose();
    chunked.dispose();
  });
});
