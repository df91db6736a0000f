// A checkpoint that takes the real-size code paths at CI size: Gemma-2-2B's structure (BF16, sharded with an
// index, head_dim 256, 26 layers, 8 query heads on 4 kv heads) around a small hidden size. Built in memory,
// so one test body runs in Chromium and under Node.
import { INDEX_NAME, modelFilesFromMap, writeSafetensors, type ByteSource, type Gemma2Config, type ModelFiles } from '../../src/formats/index.js';
import { randomArray } from './assert.js';

export const MIDSIZE: Gemma2Config = {
  hiddenSize: 72, numHiddenLayers: 26, numAttentionHeads: 2, numKeyValueHeads: 1, headDim: 256, intermediateSize: 200, vocabSize: 301,
  slidingWindow: 5, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, queryPreAttnScalar: 256, rmsNormEps: 1e-6, ropeTheta: 10000,
  maxPositionEmbeddings: 64, tieWordEmbeddings: true, hiddenActivation: 'gelu_pytorch_tanh',
};

const NORMS = ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'];

/** [out, in] of each projection of a config. */
export function projections(c: Gemma2Config): [string, number, number][] {
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const [h, i] = [c.hiddenSize, c.intermediateSize];
  return [
    ['self_attn.q_proj', q, h], ['self_attn.k_proj', kv, h], ['self_attn.v_proj', kv, h], ['self_attn.o_proj', h, q],
    ['mlp.gate_proj', i, h], ['mlp.up_proj', i, h], ['mlp.down_proj', h, i],
  ];
}

/** f32 values rounded to BF16 by truncation, and their BF16 bytes. */
function bf16(w: Float32Array): { values: Float32Array; bytes: Uint16Array } {
  const u = new Uint32Array(w.buffer, w.byteOffset, w.length);
  const bytes = Uint16Array.from(u, (v) => v >>> 16);
  const values = new Float32Array(w.length);
  new Uint32Array(values.buffer).set(Uint32Array.from(bytes, (h) => h << 16));
  return { values, bytes };
}

export interface MidsizeCheckpoint {
  files: ModelFiles;
  /** the f32 value of every stored weight, by Hugging Face name */
  weights: Map<string, Float32Array>;
  shards: number;
}

/** Seeded BF16 weights in `shards` files plus model.safetensors.index.json, layers split evenly over the shards. */
export function midsizeCheckpoint(c: Gemma2Config = MIDSIZE, shards = 3, seed = 7): MidsizeCheckpoint {
  const weights = new Map<string, Float32Array>();
  const shape = new Map<string, number[]>();
  let s = seed;
  const add = (name: string, dims: number[], scale: number): void => {
    weights.set(name, randomArray(dims.reduce((a, b) => a * b, 1), s++).map((v) => v * scale));
    shape.set(name, dims);
  };
  add('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize], 1);
  add('model.norm.weight', [c.hiddenSize], 0.3);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const n of NORMS) add(`model.layers.${l}.${n}.weight`, [c.hiddenSize], 0.3);
    for (const [n, out, inp] of projections(c)) add(`model.layers.${l}.${n}.weight`, [out, inp], 2 / Math.sqrt(inp));
  }
  const groups: Record<string, Record<string, { dtype: 'BF16'; shape: number[]; data: Uint16Array }>> = {};
  const weightMap: Record<string, string> = {};
  const shardOf = (name: string): number => {
    const m = /^model\.layers\.(\d+)\./.exec(name);
    return m ? Math.min(shards - 1, Math.floor((Number(m[1]) * shards) / c.numHiddenLayers)) : 0;
  };
  for (const [name, w] of weights) {
    const { values, bytes } = bf16(w);
    weights.set(name, values);
    const file = `model-${String(shardOf(name) + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    (groups[file] ??= {})[name] = { dtype: 'BF16', shape: shape.get(name)!, data: bytes };
    weightMap[name] = file;
  }
  const entries: Record<string, ByteSource> = { [INDEX_NAME]: new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: weightMap })) };
  for (const [file, tensors] of Object.entries(groups)) entries[file] = writeSafetensors(tensors);
  return { files: modelFilesFromMap(entries, 'midsize'), weights, shards };
}
