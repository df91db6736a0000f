import { proxy, wrap, type Remote } from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltascopeError, InputError } from '../../src/errors/index.js';
import { installComlinkErrorHandler } from '../../src/errors/comlink.js';
import type { Progress } from '../../src/progress/index.js';
import type { ModelWorkerApi } from '../../workers/model.worker.js';
import { expectRel } from '../helpers/assert.js';
import { fixtureUrl } from '../helpers/fixtures.js';
import { fixtureF32, fixtureIds, maxAbs, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

installComlinkErrorHandler();
const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module' });
const api: Remote<ModelWorkerApi> = wrap<ModelWorkerApi>(worker);
afterAll(() => worker.terminate());

const url = (rel: string): string => `${location.origin}${fixtureUrl(rel)}`;
// named URL files rather than a base URL: the test server answers unknown paths (the index probe) with 200 + HTML
const model = {
  kind: 'files' as const,
  label: 'fixtures/model',
  files: { 'config.json': { url: url('model/config.json') }, 'model.safetensors': { url: url('model/model.safetensors') } },
};

describe('GemmaEngine in workers/model.worker.ts', () => {
  it('loads the fixture model and r8 over HTTP and matches the reference', async () => {
    const reports: Progress[] = [];
    const loaded = await api.load(
      {
        model,
        adapters: [{ name: 'r8', config: { url: url('adapters/r8/adapter_config.json') }, weights: { url: url('adapters/r8/adapter_model.safetensors') } }],
        options: { dtype: 'f32', layers: [1] },
      },
      proxy((p: Progress) => reports.push(p)),
    );
    expect(loaded.adapters).toEqual(['r8']);
    expect(loaded.layerCount).toBe(2);
    expect(reports.at(-1)).toMatchObject({ stage: 'load', done: 2, total: 2 });
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const out = await api.forward(ids, batch, seq);
    const base = slab((await fixtureF32('reference/base/resid_post.npy')).data, 1, 4);
    const r8 = slab((await fixtureF32('reference/adapters/r8/resid_post.npy')).data, 1, 4);
    const d8 = slab((await fixtureF32('reference/adapters/r8/delta.npy')).data, 1, 4);
    const post = out.residPost.get(1)!;
    const errs = [
      expectRel(slab(post, 0, 2), base, TOL.resid, 'worker base resid_post[1]'),
      expectRel(slab(post, 1, 2), r8, TOL.resid, 'worker r8 resid_post[1]'),
      expectRel(out.delta.get(1)!, d8, TOL.delta, 'worker r8 delta[1]', maxAbs(r8)),
    ];
    console.log(`worker errors (base, r8, delta): ${errs.map((e) => e.toExponential(2)).join(' ')}`);
    expect(out.loraNorms.filter((n) => n.layer <= 1)).toHaveLength(14);
  });

  it('bad token ids arrive as an InputError, an oversized request as a GpuError', async () => {
    const bad = await api.forward(new Int32Array([2, 9999]), 1, 2).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InputError);
    expect((bad as InputError).problem).toMatch(/9999/);
    const big = await api
      .load({ model, adapters: [], options: { dtype: 'f32', layers: [3], logits: true, maxBatchTokens: 2 ** 22 } })
      .catch((e: unknown) => e);
    expect(big).toBeInstanceOf(DeltascopeError);
    expect(big).toMatchObject({ code: 'gpu-out-of-memory' });
  });
});
