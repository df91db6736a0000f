import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gemma2Checkpoint, LoraAdapter } from '../../src/formats/index.js';
import { GemmaEngine, type ForwardOutput } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { ADAPTERS, fixtureAdapter, fixtureF32, fixtureIds, fixtureModel, maxAbs, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

/** fixtures README §4: the F32 model, base + all five adapters as six streams of one batch, every layer hooked. */
describe('GemmaEngine on the F32 fixture model (base + 5 adapter streams)', () => {
  let model: Gemma2Checkpoint;
  let adapters: LoraAdapter[];
  let engine: GemmaEngine;
  let out: ForwardOutput;
  const layers = [0, 1, 2, 3];

  beforeAll(async () => {
    const gpu = await testGpu();
    model = await fixtureModel();
    adapters = await Promise.all(ADAPTERS.map((n) => fixtureAdapter(n, model)));
    const t0 = performance.now();
    engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers, residMid: true, logits: true });
    const t1 = performance.now();
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    out = await engine.forward(ids, batch, seq);
    console.log(`load ${(t1 - t0).toFixed(0)} ms, forward ${(performance.now() - t1).toFixed(0)} ms`);
  });

  const worst = new Map<string, number>();
  const note = (what: string, err: number): void => {
    worst.set(what, Math.max(worst.get(what) ?? 0, err));
  };

  afterAll(() => {
    console.log(`worst errors: ${JSON.stringify(Object.fromEntries([...worst].map(([k, v]) => [k, v.toExponential(2)])))}`);
    out?.release();
    engine?.dispose();
  });

  it('base resid_post and resid_mid match every layer within 1e-4', async () => {
    const gpu = await testGpu();
    const post = await fixtureF32('reference/base/resid_post.npy');
    const mid = await fixtureF32('reference/base/resid_mid.npy');
    for (const l of layers) {
      note('base resid_post', expectRel(slab(await gpu.read(out.residPost.get(l)!), 0, 6), slab(post.data, l, 4), TOL.resid, `base resid_post[${l}]`));
      note('base resid_mid', expectRel(slab(await gpu.read(out.residMid!.get(l)!), 0, 6), slab(mid.data, l, 4), TOL.resid, `base resid_mid[${l}]`));
    }
  });

  for (const [k, name] of ADAPTERS.entries()) {
    it(`adapter ${name}: resid_post and delta match every layer`, async () => {
      const gpu = await testGpu();
      const post = await fixtureF32(`reference/adapters/${name}/resid_post.npy`);
      const delta = await fixtureF32(`reference/adapters/${name}/delta.npy`);
      for (const l of layers) {
        const refPost = slab(post.data, l, 4);
        note('adapter resid_post', expectRel(slab(await gpu.read(out.residPost.get(l)!), k + 1, 6), refPost, TOL.resid, `${name} resid_post[${l}]`));
        note('delta', expectRel(slab(await gpu.read(out.delta.get(l)!), k, 5), slab(delta.data, l, 4), TOL.delta, `${name} delta[${l}]`, maxAbs(refPost)));
      }
    });
  }

  it('base and r8 logits match within 1e-4 (soft-capped)', async () => {
    const gpu = await testGpu();
    const logits = await gpu.read(out.logits!);
    note('base logits', expectRel(slab(logits, 0, 6), (await fixtureF32('reference/base/logits.npy')).data, TOL.logits, 'base logits'));
    note('r8 logits', expectRel(slab(logits, 2, 6), (await fixtureF32('reference/adapters/r8/logits.npy')).data, TOL.logits, 'r8 logits'));
  });

  it('reports the local LoRA norm of every adapted module, and none where an adapter has no tensors', () => {
    const expected = adapters.reduce((s, a) => s + a.modules.length, 0);
    expect(out.loraNorms).toHaveLength(expected);
    for (const n of out.loraNorms) expect(n.meanNorm).toBeGreaterThan(0);
    const patterns = out.loraNorms.filter((n) => n.adapter === 'r8-patterns');
    expect(new Set(patterns.map((n) => n.layer))).toEqual(new Set([0, 2]));
  });
});
