import { describe, expect, it } from 'vitest';
import { loadLoraAdapter, modelFilesFromMap, SafetensorsCheckpoint, writeSafetensors, type Gemma2Config, type TensorToWrite } from '../../src/formats/index.js';
import { GemmaEngine, type ModelDtype } from '../../src/model/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { slab } from '../helpers/model.js';
import { gemmaForwardRef } from '../ref/gemma-forward.js';
import { TOL } from '../tolerances.js';

/** Awkward on purpose: 4 query heads on 1 kv head, head_dim 8 ≠ hidden/heads, window 3, no soft-caps, odd sizes. */
const CFG: Gemma2Config = {
  hiddenSize: 40, numHiddenLayers: 3, numAttentionHeads: 4, numKeyValueHeads: 1, headDim: 8, intermediateSize: 72, vocabSize: 50,
  slidingWindow: 3, attnLogitSoftcapping: null, finalLogitSoftcapping: null, queryPreAttnScalar: 8, rmsNormEps: 1e-6, ropeTheta: 10000,
  maxPositionEmbeddings: 64, tieWordEmbeddings: true, hiddenActivation: 'gelu_pytorch_tanh',
};
const PROJ: [string, number, number][] = [
  ['self_attn.q_proj', 32, 40], ['self_attn.k_proj', 8, 40], ['self_attn.v_proj', 8, 40], ['self_attn.o_proj', 40, 32],
  ['mlp.gate_proj', 72, 40], ['mlp.up_proj', 72, 40], ['mlp.down_proj', 40, 72],
];
const R = 3;
const SCALING = 2;
const ADAPTED = ['self_attn.q_proj', 'self_attn.v_proj', 'mlp.down_proj'];

function randomWeights(): Map<string, Float32Array> {
  const w = new Map<string, Float32Array>();
  let seed = 10;
  w.set('model.embed_tokens.weight', randomArray(CFG.vocabSize * CFG.hiddenSize, seed++));
  w.set('model.norm.weight', randomArray(CFG.hiddenSize, seed++).map((v) => v * 0.3));
  for (let l = 0; l < CFG.numHiddenLayers; l++) {
    for (const n of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) w.set(`model.layers.${l}.${n}.weight`, randomArray(CFG.hiddenSize, seed++).map((v) => v * 0.3));
    for (const [n, out, inp] of PROJ) w.set(`model.layers.${l}.${n}.weight`, randomArray(out * inp, seed++).map((v) => v / Math.sqrt(inp) * 2));
  }
  return w;
}

function toSafetensors(m: Map<string, Float32Array>, shapes: (name: string) => number[]): Uint8Array<ArrayBuffer> {
  const t: Record<string, TensorToWrite> = {};
  for (const [name, data] of m) t[name] = { dtype: 'F32', shape: shapes(name), data };
  return writeSafetensors(t);
}

function shapeOf(name: string): number[] {
  if (name === 'model.embed_tokens.weight') return [CFG.vocabSize, CFG.hiddenSize];
  const p = PROJ.find(([n]) => name.endsWith(`${n}.weight`));
  return p ? [p[1], p[2]] : [CFG.hiddenSize];
}

describe('GemmaEngine against a float64 Gemma-2 forward on a random awkward config', () => {
  const weights = randomWeights();
  const ids = Int32Array.from({ length: 2 * 11 }, (_, i) => (i % 11 === 0 ? 2 : (i * 37 + 11) % CFG.vocabSize));

  async function run(dtype: ModelDtype, round: (v: number) => number, tol: number): Promise<void> {
    const gpu = await testGpu();
    const model = await SafetensorsCheckpoint.open(modelFilesFromMap({ 'model.safetensors': toSafetensors(weights, shapeOf) }, 'random'));
    // one adapter on layer 1 only (layers_to_transform), three of the seven modules
    const lora = new Map<string, Float32Array>();
    let seed = 500;
    for (const n of ADAPTED) {
      const [, out, inp] = PROJ.find(([p]) => p === n)!;
      lora.set(`base_model.model.model.layers.1.${n}.lora_A.weight`, randomArray(R * inp, seed++));
      lora.set(`base_model.model.model.layers.1.${n}.lora_B.weight`, randomArray(out * R, seed++).map((v) => v * 0.5));
    }
    const loraShape = (name: string): number[] => {
      const [, out, inp] = PROJ.find(([p]) => name.includes(p))!;
      return name.includes('lora_A') ? [R, inp] : [out, R];
    };
    const peft = { peft_type: 'LORA', r: R, lora_alpha: R * SCALING, target_modules: ['q_proj', 'v_proj', 'down_proj'], layers_to_transform: [1], layers_pattern: 'layers', lora_dropout: 0, bias: 'none', fan_in_fan_out: false };
    const adapter = await loadLoraAdapter({ config: new TextEncoder().encode(JSON.stringify(peft)), weights: toSafetensors(lora, loraShape) }, 'rand', CFG);
    const engine = await GemmaEngine.load(gpu, model, CFG, [adapter], { dtype, layers: [0, 1, 2] });
    const out = await engine.forward(ids, 2, 11);

    const rounded = (name: string): Float64Array => Float64Array.from(weights.get(name)!, PROJ.some(([p]) => name.endsWith(`${p}.weight`)) ? round : (v) => v);
    const merged = (name: string): Float64Array => {
      const w = rounded(name);
      const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(name);
      if (!m || m[1] !== '1' || !ADAPTED.includes(m[2])) return w;
      const [, outF, inF] = PROJ.find(([p]) => p === m[2])!;
      const a = lora.get(`base_model.model.model.layers.1.${m[2]}.lora_A.weight`)!;
      const b = lora.get(`base_model.model.model.layers.1.${m[2]}.lora_B.weight`)!;
      for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) for (let r = 0; r < R; r++) w[o * inF + i] += SCALING * b[o * R + r] * a[r * inF + i];
      return w;
    };
    const base = gemmaForwardRef(CFG, rounded, ids, 2, 11, 2);
    const ft = gemmaForwardRef(CFG, merged, ids, 2, 11, 2);
    const errs: string[] = [];
    for (let l = 0; l < 3; l++) {
      const post = await gpu.read(out.residPost.get(l)!);
      errs.push(expectRel(slab(post, 0, 2), base[l], tol, `${dtype} base resid_post[${l}]`).toExponential(2));
      errs.push(expectRel(slab(post, 1, 2), ft[l], tol, `${dtype} adapter resid_post[${l}]`).toExponential(2));
      const delta = await gpu.read(out.delta.get(l)!);
      if (l === 0) expect(delta.every((v) => v === 0), 'no LoRA before the first transformed layer: delta exactly 0').toBe(true);
      else expectRel(delta, ft[l].map((v, i) => v - base[l][i]), tol, `${dtype} delta[${l}]`, Math.max(...ft[l].map(Math.abs)));
    }
    console.log(`${dtype} random config errors (base, adapter per layer): ${errs.join(' ')}`);
    expect(out.loraNorms.map((n) => n.module)).toEqual(ADAPTED.map((n) => `model.layers.1.${n}`));
    out.release();
    engine.dispose();
  }

  it('f32: base and adapter streams match every layer within 1e-4', () => run('f32', (v) => v, TOL.resid));

  it('f16: matches the float64 forward on f16-rounded projection weights', async (ctx) => {
    const f16round = (Math as unknown as { f16round?: (v: number) => number }).f16round;
    if (!f16round) ctx.skip();
    await run('f16', f16round!, TOL.resid);
  });
});
