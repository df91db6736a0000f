import { describe, it } from 'vitest';
import { GemmaEngine } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureAdapter, fixtureF32, fixtureIds, fixtureModel, maxAbs, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

/** fixtures README §4c: 2 × 127 tokens, more than one key tile; the F32 model against the BF16 copy's reference too. */
describe('GemmaEngine on long sequences and the BF16 checkpoint', () => {
  it('reference/long: base, r8 and r32 resid_post, deltas and the last-4 logits match', async () => {
    const gpu = await testGpu();
    const model = await fixtureModel();
    const names = ['r8', 'r32'];
    const adapters = await Promise.all(names.map((n) => fixtureAdapter(n, model)));
    const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers: [0, 1, 2, 3], logits: true });
    const { ids, batch, seq } = await fixtureIds('reference/long/input_ids.npy');
    const out = await engine.forward(ids, batch, seq);
    const errs: Record<string, number> = {};
    const base = await fixtureF32('reference/long/base/resid_post.npy');
    for (let l = 0; l < 4; l++) {
      const got = await gpu.read(out.residPost.get(l)!);
      errs[`base L${l}`] = expectRel(slab(got, 0, 3), slab(base.data, l, 4), TOL.resid, `long base resid_post[${l}]`);
      for (const [k, name] of names.entries()) {
        const post = slab((await fixtureF32(`reference/long/adapters/${name}/resid_post.npy`)).data, l, 4);
        const delta = slab((await fixtureF32(`reference/long/adapters/${name}/delta.npy`)).data, l, 4);
        errs[`${name} L${l}`] = expectRel(slab(got, k + 1, 3), post, TOL.resid, `long ${name} resid_post[${l}]`);
        errs[`${name} delta L${l}`] = expectRel(slab(await gpu.read(out.delta.get(l)!), k, 2), delta, TOL.delta, `long ${name} delta[${l}]`, maxAbs(post));
      }
    }
    const logits = slab(await gpu.read(out.logits!), 0, 3);
    const vocab = model.config.vocabSize;
    const last4 = new Float32Array(batch * 4 * vocab);
    for (let b = 0; b < batch; b++) last4.set(logits.subarray((b * seq + seq - 4) * vocab, (b * seq + seq) * vocab), b * 4 * vocab);
    errs.logitsLast4 = expectRel(last4, (await fixtureF32('reference/long/base/logits_last4.npy')).data, TOL.logits, 'long base logits[123..126]');
    console.log(`reference/long errors: ${JSON.stringify(errs, (_, v: unknown) => (typeof v === 'number' ? Number(v.toExponential(2)) : v))}`);
    out.release();
    engine.dispose();
  });

  it('model-bf16 matches reference/base_bf16 (resid_post every layer, logits)', async () => {
    const gpu = await testGpu();
    const model = await fixtureModel('model-bf16');
    const engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, [], { dtype: 'f32', layers: [0, 1, 2, 3], logits: true });
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const out = await engine.forward(ids, batch, seq);
    const ref = await fixtureF32('reference/base_bf16/resid_post.npy');
    const errs: number[] = [];
    for (let l = 0; l < 4; l++) errs.push(expectRel(await gpu.read(out.residPost.get(l)!), slab(ref.data, l, 4), TOL.resid, `bf16 resid_post[${l}]`));
    errs.push(expectRel(await gpu.read(out.logits!), (await fixtureF32('reference/base_bf16/logits.npy')).data, TOL.logits, 'bf16 logits'));
    console.log(`bf16 errors (L0..L3, logits): ${errs.map((e) => e.toExponential(2)).join(' ')}`);
    out.release();
    engine.dispose();
  });
});
