import { describe, expect, it } from 'vitest';
import { GpuError } from '../../src/errors/index.js';
import { parseGemma2Config } from '../../src/formats/index.js';
import { estimateMemory, GemmaEngine, whatFits } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureF32, fixtureIds, fixtureModel, slab } from '../helpers/model.js';
import { TOL } from '../tolerances.js';

/** Gemma-2 9B's published config.json hyper-parameters. */
const GEMMA2_9B = parseGemma2Config(
  {
    model_type: 'gemma2', hidden_size: 3584, num_hidden_layers: 42, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 256,
    intermediate_size: 14336, vocab_size: 256000, sliding_window: 4096, query_pre_attn_scalar: 256, hidden_activation: 'gelu_pytorch_tanh',
  },
  'gemma-2-9b/config.json',
);

describe('memory estimate and refusal', () => {
  it('orders precisions f32 > f16 > q8 > q4 and grows with adapters, layers and logits', () => {
    const base = { layers: [20], adapters: 4, batchTokens: 1024 };
    const [f32, f16, q8, q4] = (['f32', 'f16', 'q8', 'q4'] as const).map((dtype) => estimateMemory(GEMMA2_9B, { ...base, dtype }).bytes);
    expect(f32).toBeGreaterThan(f16);
    expect(f16).toBeGreaterThan(q8);
    expect(q8).toBeGreaterThan(q4);
    // 21 layers of 9B projections: 21 · 4 · (16·256·3584·2 + 8·256·3584·2 + 3·3584·14336) bytes ≈ 16.3 GB in f32
    expect(f32).toBeGreaterThan(16e9);
    expect(estimateMemory(GEMMA2_9B, { ...base, dtype: 'q4', layers: [41] }).bytes).toBeGreaterThan(q4);
    expect(estimateMemory(GEMMA2_9B, { ...base, dtype: 'q4', adapters: 8 }).bytes).toBeGreaterThan(q4);
    const withLogits = estimateMemory(GEMMA2_9B, { ...base, dtype: 'q4', logits: true });
    expect(withLogits.largestBufferBytes).toBeGreaterThanOrEqual(5 * 1024 * 256000 * 4);
  });

  it('refuses a model that cannot fit with a clear message, and the device keeps working', async () => {
    const gpu = await testGpu();
    const fixture = await fixtureModel();
    // the 9B config with logits for 5 streams × 2048 tokens needs a 10 GB logits buffer: refused before any read
    const err = await GemmaEngine.load(gpu, fixture.checkpoint, GEMMA2_9B, [], { dtype: 'q4', layers: [41], logits: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect(err).toMatchObject({ code: 'gpu-out-of-memory' });
    expect((err as Error).message).toMatch(/needs a [\d.]+ GiB buffer, but this GPU binds at most [\d.]+ [MG]iB .*; q4 up to layer 41 fits with at most \d+ tokens per batch\.$/);
    // all 42 layers of the 9B in f32 over a 16 GiB budget: refused with what fits (the sizes are whatFits's, tested in unit/)
    const all = Array.from({ length: 42 }, (_, i) => i);
    const big = await GemmaEngine.load(gpu, fixture.checkpoint, GEMMA2_9B, [], { dtype: 'f32', layers: all, memoryBudgetBytes: 16 * 2 ** 30 }).catch((e: unknown) => e);
    expect(big).toMatchObject({ code: 'gpu-out-of-memory' });
    const statement = whatFits(GEMMA2_9B, { dtype: 'f32', layers: all, adapters: 0, batchTokens: 2048 }, { maxBufferBytes: gpu.limits.maxBufferSize, maxBindingBytes: gpu.limits.maxStorageBufferBindingSize, budgetBytes: 16 * 2 ** 30 })?.statement;
    expect((big as Error).message).toBe(statement);
    expect(statement).toMatch(/^Gemma-2 \(42 layers of 42, f32, 0 adapters, 2048 tokens per batch\) needs ≈ [\d.]+ GiB of GPU memory, over the budget of 16\.0 GiB\. What fits with 0 adapters and 2048 tokens per batch: (\w+ up to layer \d+ \([\d.]+ GiB\)(, |\.$)){4}/);
    const budget = await GemmaEngine.load(gpu, fixture.checkpoint, fixture.config, [], { dtype: 'f32', layers: [3], memoryBudgetBytes: 1 << 20 }).catch((e: unknown) => e);
    expect(budget).toMatchObject({ code: 'gpu-out-of-memory' });
    expect((budget as Error).message).toMatch(/needs ≈ [\d.]+ MiB of GPU memory, over the budget of 1\.0 MiB\. /);
    gpu.checkAlive();
    const engine = await GemmaEngine.load(gpu, fixture.checkpoint, fixture.config, [], { dtype: 'f32', layers: [0] });
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const out = await engine.forward(ids, batch, seq);
    expectRel(await gpu.read(out.residPost.get(0)!), slab((await fixtureF32('reference/base/resid_post.npy')).data, 0, 4), TOL.resid, 'resid_post[0] after refusals');
    out.release();
    engine.dispose();
  });

  it('rejects bad options and token ids before loading anything', async () => {
    const gpu = await testGpu();
    const fixture = await fixtureModel();
    await expect(GemmaEngine.load(gpu, fixture.checkpoint, fixture.config, [], { dtype: 'f32', layers: [4] })).rejects.toThrow(/layer 4 is outside 0\.\.3/);
    await expect(GemmaEngine.load(gpu, fixture.checkpoint, fixture.config, [], { dtype: 'q2' as 'q4', layers: [0] })).rejects.toThrow(/dtype "q2"/);
    const engine = await GemmaEngine.load(gpu, fixture.checkpoint, fixture.config, [], { dtype: 'f32', layers: [0] });
    await expect(engine.forward(new Int32Array([2, 512]), 1, 2)).rejects.toThrow(/token id 512 at index 1 is outside the vocabulary \[0, 512\)/);
    await expect(engine.forward(new Int32Array(5), 2, 3)).rejects.toThrow(/5 ids do not fill \[2, 3\]/);
    engine.dispose();
  });
});
