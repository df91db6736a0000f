/**
 * Cost of LoRA streams: tokens/s of the base model alone against base + 4 adapters on the same tokens (one
 * batch of 5 streams), on one device in one run. First checks that every adapter stream of the batched run
 * equals that adapter run alone and that the base stream equals the base-only run (bit for bit), then times
 * both (median of interleaved runs, each ending with the hooks read back) and prints the cost ratio; the goal
 * is well under 5×. Synthetic Gemma-2-shaped weights (no download). Not a test.
 */
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import { loadLoraAdapter, modelFilesFromMap, SafetensorsCheckpoint, writeSafetensors, type Gemma2Config, type LoraAdapter, type TensorToWrite } from '../src/formats/index.js';
import { GemmaEngine, type ModelDtype } from '../src/model/index.js';

type Log = (line: string) => void;

export const CONFIG: Gemma2Config = {
  hiddenSize: 256, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 64, intermediateSize: 1024,
  vocabSize: 1024, slidingWindow: 32, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, queryPreAttnScalar: 64,
  rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 512, tieWordEmbeddings: true, hiddenActivation: 'gelu_pytorch_tanh',
};
const BATCH = 4;
const SEQ = 64;
const RANK = 8;
const RUNS = 3;

function random(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 31 - 1) * scale;
  });
}

const SHAPES = (c: Gemma2Config): [string, string, number, number][] => [
  ['self_attn', 'q_proj', c.numAttentionHeads * c.headDim, c.hiddenSize],
  ['self_attn', 'k_proj', c.numKeyValueHeads * c.headDim, c.hiddenSize],
  ['self_attn', 'v_proj', c.numKeyValueHeads * c.headDim, c.hiddenSize],
  ['self_attn', 'o_proj', c.hiddenSize, c.numAttentionHeads * c.headDim],
  ['mlp', 'gate_proj', c.intermediateSize, c.hiddenSize],
  ['mlp', 'up_proj', c.intermediateSize, c.hiddenSize],
  ['mlp', 'down_proj', c.hiddenSize, c.intermediateSize],
];

export async function syntheticModel(c: Gemma2Config): Promise<SafetensorsCheckpoint> {
  const t: Record<string, TensorToWrite> = {};
  let seed = 1;
  const put = (name: string, shape: number[], scale: number): void => {
    t[name] = { dtype: 'F32', shape, data: random(shape.reduce((a, b) => a * b, 1), seed++, scale) };
  };
  put('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize], 0.05);
  put('model.norm.weight', [c.hiddenSize], 0.1);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const n of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) put(`model.layers.${l}.${n}.weight`, [c.hiddenSize], 0.1);
    for (const [parent, kind, out, inp] of SHAPES(c)) put(`model.layers.${l}.${parent}.${kind}.weight`, [out, inp], 1 / Math.sqrt(inp));
  }
  return SafetensorsCheckpoint.open(modelFilesFromMap({ 'model.safetensors': writeSafetensors(t) }, 'synthetic'));
}

export async function syntheticAdapter(c: Gemma2Config, name: string, seed: number): Promise<LoraAdapter> {
  const t: Record<string, TensorToWrite> = {};
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const [parent, kind, out, inp] of SHAPES(c)) {
      const base = `base_model.model.model.layers.${l}.${parent}.${kind}`;
      t[`${base}.lora_A.weight`] = { dtype: 'F32', shape: [RANK, inp], data: random(RANK * inp, seed++, 1 / Math.sqrt(inp)) };
      t[`${base}.lora_B.weight`] = { dtype: 'F32', shape: [out, RANK], data: random(out * RANK, seed++, 0.05) };
    }
  }
  const config = JSON.stringify({ peft_type: 'LORA', r: RANK, lora_alpha: 2 * RANK, target_modules: SHAPES(c).map((s) => s[1]), lora_dropout: 0, bias: 'none', fan_in_fan_out: false });
  return loadLoraAdapter({ config: new TextEncoder().encode(config), weights: writeSafetensors(t) }, name, c);
}

async function timed(gpu: Gpu, engine: GemmaEngine, ids: Int32Array): Promise<number> {
  const t0 = performance.now();
  const out = await engine.forward(ids, BATCH, SEQ);
  for (const t of out.residPost.values()) await gpu.read(t);
  out.release();
  return performance.now() - t0;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const model = await syntheticModel(CONFIG);
  const adapters = await Promise.all([0, 1, 2, 3].map((i) => syntheticAdapter(CONFIG, `a${i}`, 1000 * (i + 1))));
  const ids = Int32Array.from({ length: BATCH * SEQ }, (_, i) => (i % SEQ === 0 ? 2 : (i * 7919) % CONFIG.vocabSize));
  const layer = CONFIG.numHiddenLayers - 1;
  for (const dtype of ['f32', 'q4'] as ModelDtype[]) {
    const opts = { dtype, layers: [layer] };
    const baseOnly = await GemmaEngine.load(gpu, model, CONFIG, [], opts);
    const five = await GemmaEngine.load(gpu, model, CONFIG, adapters, opts);
    const all = await five.forward(ids, BATCH, SEQ);
    const batched = await gpu.read(all.residPost.get(layer)!);
    all.release();
    const n = BATCH * SEQ * CONFIG.hiddenSize;
    const check = async (engine: GemmaEngine, stream: number, local: number, what: string): Promise<void> => {
      const out = await engine.forward(ids, BATCH, SEQ);
      const got = (await gpu.read(out.residPost.get(layer)!)).subarray(local * n, (local + 1) * n);
      out.release();
      const ref = batched.subarray(stream * n, (stream + 1) * n);
      if (!got.every((v, i) => v === ref[i])) throw new Error(`${dtype}: ${what} differs from its stream in the batched run`);
    };
    await check(baseOnly, 0, 0, 'base alone');
    for (const [k, a] of adapters.entries()) {
      const alone = await GemmaEngine.load(gpu, model, CONFIG, [a], opts);
      await check(alone, k + 1, 1, `adapter ${a.name} alone`);
      alone.dispose();
    }
    await timed(gpu, baseOnly, ids);
    await timed(gpu, five, ids);
    const tb: number[] = [];
    const tf: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      tb.push(await timed(gpu, baseOnly, ids));
      tf.push(await timed(gpu, five, ids));
    }
    const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const [b, f] = [med(tb), med(tf)];
    const tokens = BATCH * SEQ;
    log(
      `${dtype} hidden ${CONFIG.hiddenSize}, ${CONFIG.numHiddenLayers} layers, ${BATCH}×${SEQ} tokens: base ${(tokens / (b / 1000)).toFixed(0)} tokens/s, ` +
        `base + 4 adapters (r${RANK}) ${(tokens / (f / 1000)).toFixed(0)} tokens/s (each token through 5 streams); cost ratio ${(f / b).toFixed(2)}× (5 separate runs: 5×) on ${gpu.info.vendor} ${gpu.info.architecture}`,
    );
    baseOnly.dispose();
    five.dispose();
  }
}
