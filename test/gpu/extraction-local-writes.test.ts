import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors/index.js';
import { PROJECTION_KINDS } from '../../src/formats/index.js';
import { directionCosinesOf, localWritesOf } from '../../src/lab/across-adapters.js';
import { datasetFromTokenIds } from '../../src/lab/dataset-pack.js';
import { extractDeltas, type OpenedEngine } from '../../src/lab/extraction/index.js';
import { projectionName, normName, NORM_KINDS } from '../../src/model/weight-names.js';
import { ActivationStore, TOKEN_KIND } from '../../src/store/index.js';
import { expectRel } from '../helpers/assert.js';
import { extractionInput, fixtureEngine, LAYERS, NAMES, sharedEngine } from '../helpers/extraction.js';
import { fixtureJson } from '../helpers/fixtures.js';
import { fixtureF32, fixtureIds, maxAbs, slab } from '../helpers/model.js';
import { cosineRef, meanDeltaRef } from '../ref/across-adapters.js';
import { localWritesRef, type RefLoraModule } from '../ref/local-writes.js';
import { TOL } from '../tolerances.js';

describe('local LoRA writes and mean-delta directions of an extraction run (fixture model, r4..r32, every layer)', () => {
  it('equal a float64 forward of the fixture model, text tokens only, and a run paused mid-shard and resumed ends with the same numbers', async () => {
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    const plain = ActivationStore.open('local-writes-plain');
    const ref = await extractDeltas(extractionInput(ds, 'f32', false, 1, 2), { store: plain, openEngine: sharedEngine });
    const got = localWritesOf(ref.manifest, null);
    expect(got).toHaveLength(NAMES.length * LAYERS.length * PROJECTION_KINDS.length);

    // float64 reference: base weights and lora_A/B from the fixture files, scaling from resolved_modules.json
    const { model, adapters } = await fixtureEngine();
    const base = new Map<string, Float32Array>([['model.embed_tokens.weight', await model.checkpoint.readF32('model.embed_tokens.weight')]]);
    for (const l of LAYERS) {
      for (const k of NORM_KINDS) base.set(normName(l, k), await model.checkpoint.readF32(normName(l, k)));
      for (const k of PROJECTION_KINDS) base.set(projectionName(l, k), await model.checkpoint.readF32(projectionName(l, k)));
    }
    const counted = ds.kinds.map((k) => (k === TOKEN_KIND.text ? 1 : 0));
    const textTokens = counted.reduce((a, v) => a + v, 0);
    expect(textTokens).toBe(batch * (seq - 1));
    for (const [k, name] of NAMES.entries()) {
      const resolved = await fixtureJson<{ modules: { module: string; r: number; scaling: number }[] }>(`adapters/${name}/resolved_modules.json`);
      const file = adapters[k].weights;
      const modules: RefLoraModule[] = [];
      for (const m of resolved.modules) {
        const stem = `base_model.model.${m.module}`;
        modules.push({ module: m.module, r: m.r, scaling: m.scaling, a: await file.readF32(`${stem}.lora_A.weight`), b: await file.readF32(`${stem}.lora_B.weight`) });
      }
      const r = localWritesRef(model.config, (n) => base.get(n)!, modules, ids, batch, seq, 3, counted);
      // the reference forward is the fixture's fine-tuned forward (README §4)
      const post = await fixtureF32(`reference/adapters/${name}/resid_post.npy`);
      for (const l of LAYERS) expectRel(r.residPost[l], slab(post.data, l, 4), TOL.resid, `float64 reference ${name} resid_post[${l}]`, maxAbs(slab(post.data, l, 4)));
      const mine = got.filter((w) => w.adapter === name);
      expect(mine).toHaveLength(resolved.modules.length);
      for (const m of resolved.modules) {
        const w = mine.find((x) => m.module === `model.layers.${x.layer}.${['gate_proj', 'up_proj', 'down_proj'].includes(x.module) ? 'mlp' : 'self_attn'}.${x.module}`);
        const want = r.writes.get(m.module)!;
        expect(w, `${name} ${m.module} reported`).toBeDefined();
        expect([w!.tokens, want.tokens]).toEqual([textTokens, textTokens]);
        expectRel([w!.meanNorm], [want.meanNorm], TOL.heatmap, `${name} ${m.module} mean local write`);
      }
    }

    // pause after the first forward pass of shard 1 (shard 0 committed, shard 1 half done), reload, resume
    const paused = ActivationStore.open('local-writes-paused');
    const controller = new AbortController();
    let forwards = 0;
    const pausing = async (): Promise<OpenedEngine> => {
      const opened = await sharedEngine();
      return {
        gpu: opened.gpu,
        engine: {
          adapterNames: opened.engine.adapterNames,
          forward: async (x, b, s, c) => {
            const out = await opened.engine.forward(x, b, s, c);
            if (++forwards === 3) controller.abort(new CancelledError('extraction'));
            return out;
          },
        },
      };
    };
    await expect(extractDeltas(extractionInput(ds, 'f32', false, 1, 2), { store: paused, openEngine: pausing, signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect((await paused.manifest(ref.runId)).shards).toHaveLength(1);
    const resumed = await extractDeltas(extractionInput(ds, 'f32', false, 1, 2), { store: ActivationStore.open('local-writes-paused'), openEngine: sharedEngine });
    expect([resumed.shardsWritten, resumed.manifest.complete]).toEqual([1, true]);
    expect(localWritesOf(resumed.manifest, null)).toEqual(got);
    await plain.deleteRun(ref.runId);
    await paused.deleteRun(resumed.runId);
  });

  it('the mean-delta direction cosines between adapters equal float64 cosines of the fixture deltas’ means over non-BOS tokens', async () => {
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const ds = await datasetFromTokenIds(ids, batch, seq, 2);
    const store = ActivationStore.open('across-adapters-directions');
    const r = await extractDeltas(extractionInput(ds, 'f32', false, 2, 2), { store, openEngine: sharedEngine });
    const across = directionCosinesOf(r.manifest, NAMES);
    expect(across.map((a) => [a.layer, a.labels, a.dictionaryCosine])).toEqual(LAYERS.map((l) => [l, NAMES, null]));
    const deltas = await Promise.all(NAMES.map((n) => fixtureF32(`reference/adapters/${n}/delta.npy`)));
    let worst = 0;
    for (const a of across) {
      const means = deltas.map((d) => meanDeltaRef(slab(d.data, a.layer, 4), batch, seq, 64));
      for (let i = 0; i < NAMES.length; i++) for (let j = 0; j < NAMES.length; j++) worst = Math.max(worst, Math.abs(a.directionCosine[i][j] - cosineRef(means[i], means[j])));
    }
    expect(worst, `max |cos − float64 reference| = ${worst.toExponential(2)}`).toBeLessThanOrEqual(TOL.cosine);
    await store.deleteRun(r.runId);
  });
});
