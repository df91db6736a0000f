import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Gemma2Checkpoint, LoraAdapter } from '../../src/formats/index.js';
import { forceVariantFamily } from '../../src/gpu/index.js';
import { GemmaEngine } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { ADAPTERS, fixtureAdapter, fixtureF32, fixtureIds, fixtureModel, maxAbs, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

// The model kernels a real GPU gets (shared-memory projection tiles, workgroup attention), forced on this adapter so
// the path that meets a GPU is checked against the fixtures here too (this file has its own page and device).
describe('GemmaEngine with the GPU kernel variants forced (base + 5 adapter streams)', () => {
  let model: Gemma2Checkpoint;
  let adapters: LoraAdapter[];

  beforeAll(async () => {
    forceVariantFamily(await testGpu(), 'gpu');
    model = await fixtureModel();
    adapters = await Promise.all(ADAPTERS.map((n) => fixtureAdapter(n, model)));
  });

  afterAll(async () => forceVariantFamily(await testGpu(), null));

  it('f32: resid_post, deltas and logits of every layer match the fixtures', async () => {
    const gpu = await testGpu();
    const layers = [0, 1, 2, 3];
    const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers, logits: true });
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const out = await engine.forward(ids, batch, seq);
    const base = await fixtureF32('reference/base/resid_post.npy');
    for (const l of layers) {
      const post = await gpu.read(out.residPost.get(l)!);
      const delta = await gpu.read(out.delta.get(l)!);
      expectRel(slab(post, 0, 6), slab(base.data, l, 4), TOL.resid, `base resid_post[${l}]`);
      for (const [k, name] of ADAPTERS.entries()) {
        const refPost = slab((await fixtureF32(`reference/adapters/${name}/resid_post.npy`)).data, l, 4);
        expectRel(slab(post, k + 1, 6), refPost, TOL.resid, `${name} resid_post[${l}]`);
        const refDelta = slab((await fixtureF32(`reference/adapters/${name}/delta.npy`)).data, l, 4);
        expectRel(slab(delta, k, 5), refDelta, TOL.delta, `${name} delta[${l}]`, maxAbs(refPost));
      }
    }
    const logits = await gpu.read(out.logits!);
    expectRel(slab(logits, 0, 6), (await fixtureF32('reference/base/logits.npy')).data, TOL.logits, 'base logits');
    expectRel(slab(logits, 2, 6), (await fixtureF32('reference/adapters/r8/logits.npy')).data, TOL.logits, 'r8 logits');
    out.release();
    engine.dispose();
  });

  for (const dtype of ['q8', 'q4'] as const) {
    it(`${dtype}: resid_post and deltas of every layer match reference/quant/${dtype}`, async () => {
      const gpu = await testGpu();
      const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype, layers: [0, 1, 2, 3] });
      const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
      const out = await engine.forward(ids, batch, seq);
      const base = await fixtureF32(`reference/quant/${dtype}/base/resid_post.npy`);
      for (let l = 0; l < 4; l++) {
        const post = await gpu.read(out.residPost.get(l)!);
        const delta = await gpu.read(out.delta.get(l)!);
        expectRel(slab(post, 0, 6), slab(base.data, l, 4), TOL.quant, `${dtype} base resid_post[${l}]`);
        for (const [k, name] of ADAPTERS.entries()) {
          const refPost = slab((await fixtureF32(`reference/quant/${dtype}/adapters/${name}/resid_post.npy`)).data, l, 4);
          const refDelta = slab((await fixtureF32(`reference/quant/${dtype}/adapters/${name}/delta.npy`)).data, l, 4);
          expectRel(slab(post, k + 1, 6), refPost, TOL.quant, `${dtype} ${name} resid_post[${l}]`);
          expectRel(slab(delta, k, 5), refDelta, TOL.quant, `${dtype} ${name} delta[${l}]`, maxAbs(refPost));
        }
      }
      out.release();
      engine.dispose();
    });
  }

  it('f16 weights stay within 1e-2 of the f32 reference', async () => {
    const gpu = await testGpu();
    const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, [], { dtype: 'f16', layers: [3] });
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const out = await engine.forward(ids, batch, seq);
    expectRel(await gpu.read(out.residPost.get(3)!), slab((await fixtureF32('reference/base/resid_post.npy')).data, 3, 4), 1e-2, 'f16 resid_post[3]');
    out.release();
    engine.dispose();
  });
});
