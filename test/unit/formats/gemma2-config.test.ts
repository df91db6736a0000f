import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import { parseGemma2Config, projectionShape } from '../../../src/formats/index.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const fixture = await fixtureJson<Record<string, unknown>>('model/config.json');

function problem(json: unknown): string {
  try {
    parseGemma2Config(json, 'config.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBe('config.json');
    return (e as InputError).problem;
  }
  throw new Error('accepted');
}

describe('Gemma-2 config.json', () => {
  it('reads the fixture model exactly (head_dim 12 is read, not hidden/heads = 16)', () => {
    expect(parseGemma2Config(fixture, 'config.json')).toEqual({
      hiddenSize: 64, numHiddenLayers: 4, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 12, intermediateSize: 128, vocabSize: 512,
      slidingWindow: 6, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, queryPreAttnScalar: 24, rmsNormEps: 1e-6, ropeTheta: 10000,
      maxPositionEmbeddings: 128, tieWordEmbeddings: true, hiddenActivation: 'gelu_pytorch_tanh',
    });
  });

  it('accepts the JSON text too, and fills optional fields with Gemma2Config defaults', () => {
    const minimal = { model_type: 'gemma2', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 512 };
    expect(parseGemma2Config(JSON.stringify(minimal), 'config.json')).toMatchObject({
      numKeyValueHeads: 4, headDim: 256, slidingWindow: 4096, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, queryPreAttnScalar: 256,
      rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 8192, tieWordEmbeddings: true, hiddenActivation: 'gelu_pytorch_tanh',
    });
    expect(parseGemma2Config({ ...fixture, final_logit_softcapping: null, hidden_activation: undefined, hidden_act: 'gelu_pytorch_tanh' }, 'c').finalLogitSoftcapping).toBeNull();
    const { model_type: _t, ...archOnly } = fixture;
    expect(parseGemma2Config(archOnly, 'c').headDim).toBe(12);
  });

  it('projection shapes follow heads · head_dim, not hidden', () => {
    const c = parseGemma2Config(fixture, 'config.json');
    expect(projectionShape(c, 'q_proj')).toEqual([48, 64]);
    expect(projectionShape(c, 'k_proj')).toEqual([24, 64]);
    expect(projectionShape(c, 'o_proj')).toEqual([64, 48]);
    expect(projectionShape(c, 'down_proj')).toEqual([64, 128]);
  });

  it('a Llama config is "not a Gemma-2 model"', () => {
    const llama = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, intermediate_size: 11008, vocab_size: 32000 };
    expect(problem(llama)).toBe('not a Gemma-2 model (model_type "llama")');
    expect(problem({ ...fixture, model_type: 'gemma', architectures: ['GemmaForCausalLM'] })).toBe('not a Gemma-2 model (model_type "gemma")');
  });

  it.each([
    ['invalid JSON text', '{"model_type": "gemma2",}', /^invalid JSON/],
    ['an array', [1], /not a JSON object/],
    ['a missing hidden_size', { ...fixture, hidden_size: undefined }, /^invalid Gemma-2 config \(hidden_size: /],
    ['a fractional head_dim', { ...fixture, head_dim: 12.5 }, /head_dim/],
    ['a string num_hidden_layers', { ...fixture, num_hidden_layers: '4' }, /num_hidden_layers/],
    ['heads not a multiple of kv heads', { ...fixture, num_key_value_heads: 3 }, /num_attention_heads 4 is not a multiple of num_key_value_heads 3/],
  ])('rejects %s', (_w, json, p) => {
    expect(problem(json)).toMatch(p);
  });
});
