import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLoraAdapter, type Gemma2Checkpoint, type LoraAdapter } from '../../src/formats/index.js';
import { GemmaEngine, type ForwardOutput } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { fixtureJson } from '../helpers/fixtures.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureAdapter, fixtureF32, fixtureIds, fixtureModel, maxAbs, slab } from '../helpers/model.js';
import { gemmaForwardRef } from '../ref/gemma-forward.js';
import { TOL } from '../tolerances.js';

/** Dose-response streams: each α-scaled adapter is one more stream of the same batch. */
const STREAMS: { adapter: 'r8' | 'r8-patterns'; alpha: number }[] = [
  { adapter: 'r8', alpha: 0 },
  { adapter: 'r8', alpha: 0.25 },
  { adapter: 'r8', alpha: 0.5 },
  { adapter: 'r8', alpha: 1 },
  { adapter: 'r8', alpha: 1.5 },
  { adapter: 'r8', alpha: 2 },
  { adapter: 'r8-patterns', alpha: 1 },
  { adapter: 'r8-patterns', alpha: 1.5 },
];
const LAYERS = [0, 1, 2, 3];

interface Resolved {
  modules: { module: string; r: number; lora_alpha: number; scaling: number }[];
}

describe('GemmaEngine with α-scaled adapter streams against a float64 forward on the fixture model', () => {
  let model: Gemma2Checkpoint;
  let engine: GemmaEngine;
  let out: ForwardOutput;
  let ids: Int32Array;
  let batch: number;
  let seq: number;
  const originals = new Map<string, LoraAdapter>();

  beforeAll(async () => {
    const gpu = await testGpu();
    model = await fixtureModel();
    for (const name of ['r8', 'r8-patterns']) originals.set(name, await fixtureAdapter(name, model));
    const streams = STREAMS.map((s) => (s.alpha === 1 ? originals.get(s.adapter)! : scaledLoraAdapter(originals.get(s.adapter)!, s.alpha, `${s.adapter}×${s.alpha}`)));
    engine = await GemmaEngine.load(gpu, model.checkpoint, model.config, streams, { dtype: 'f32', layers: LAYERS });
    ({ ids, batch, seq } = await fixtureIds('reference/input_ids.npy'));
    out = await engine.forward(ids, batch, seq);
  });

  afterAll(() => {
    out?.release();
    engine?.dispose();
  });

  /** resid_post per layer of the float64 forward with the adapter merged at scaling × α (scalings from the fixtures' resolved_modules.json). */
  async function reference(adapter: string, alpha: number): Promise<Float64Array[]> {
    const resolved = await fixtureJson<Resolved>(`adapters/${adapter}/resolved_modules.json`);
    const lora = originals.get(adapter)!.weights;
    const merged = new Map<string, Float64Array>();
    for (const m of resolved.modules) {
      const w = Float64Array.from(await model.checkpoint.readF32(`${m.module}.weight`));
      const a = await lora.readF32(`base_model.model.${m.module}.lora_A.weight`);
      const b = await lora.readF32(`base_model.model.${m.module}.lora_B.weight`);
      const inF = a.length / m.r;
      const outF = b.length / m.r;
      for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) for (let r = 0; r < m.r; r++) w[o * inF + i] += alpha * m.scaling * b[o * m.r + r] * a[r * inF + i];
      merged.set(`${m.module}.weight`, w);
    }
    const plain = new Map<string, Float32Array>();
    for (const name of model.checkpoint.tensors.keys()) plain.set(name, await model.checkpoint.readF32(name));
    return gemmaForwardRef(model.config, (n) => merged.get(n) ?? plain.get(n)!, ids, batch, seq, LAYERS.length - 1);
  }

  it('α = 0: the delta is exactly 0 at every layer', async () => {
    const gpu = await testGpu();
    for (const l of LAYERS) {
      const delta = slab(await gpu.read(out.delta.get(l)!), 0, STREAMS.length);
      expect(maxAbs(delta), `α = 0 delta[${l}]`).toBe(0);
    }
  });

  it('α = 1 equals the fixtures\' reference delta within the fixtures\' tolerance', async () => {
    const gpu = await testGpu();
    for (const [k, s] of STREAMS.entries()) {
      if (s.alpha !== 1) continue;
      const post = await fixtureF32(`reference/adapters/${s.adapter}/resid_post.npy`);
      const delta = await fixtureF32(`reference/adapters/${s.adapter}/delta.npy`);
      for (const l of LAYERS) {
        expectRel(slab(await gpu.read(out.delta.get(l)!), k, STREAMS.length), slab(delta.data, l, 4), TOL.delta, `${s.adapter} α=1 delta[${l}]`, maxAbs(slab(post.data, l, 4)));
      }
    }
  });

  it('the float64 reference at α = 1 reproduces the fixtures (checks the reference itself)', async () => {
    for (const adapter of ['r8', 'r8-patterns']) {
      const ref = await reference(adapter, 1);
      const post = await fixtureF32(`reference/adapters/${adapter}/resid_post.npy`);
      for (const l of LAYERS) expectRel(ref[l], slab(post.data, l, 4), TOL.resid, `${adapter} float64 resid_post[${l}]`);
    }
  });

  it('every other α matches the float64 forward at scaling × α within the same tolerances', async () => {
    const gpu = await testGpu();
    const base = await reference('r8', 0);
    const errors: string[] = [];
    for (const [k, s] of STREAMS.entries()) {
      if (s.alpha === 0 || s.alpha === 1) continue;
      const ft = await reference(s.adapter, s.alpha);
      for (const l of LAYERS) {
        const post = slab(await gpu.read(out.residPost.get(l)!), k + 1, STREAMS.length + 1);
        const scale = maxAbs(ft[l]);
        errors.push(expectRel(post, ft[l], TOL.resid, `${s.adapter} α=${s.alpha} resid_post[${l}]`).toExponential(1));
        const refDelta = ft[l].map((v, i) => v - base[l][i]);
        errors.push(expectRel(slab(await gpu.read(out.delta.get(l)!), k, STREAMS.length), refDelta, TOL.delta, `${s.adapter} α=${s.alpha} delta[${l}]`, scale).toExponential(1));
        if (s.adapter === 'r8') expect(maxAbs(refDelta), `the α=${s.alpha} delta is not trivially 0`).toBeGreaterThan(1e-3 * scale);
      }
    }
    console.log(`α-stream errors (resid_post, delta per layer): ${errors.join(' ')}`);
  });
});
