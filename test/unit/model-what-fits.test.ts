import { describe, expect, it } from 'vitest';
import { parseGemma2Config, type Gemma2Config } from '../../src/formats/index.js';
import { estimateMemory, formatBytes, whatFits, type ModelDtype } from '../../src/model/index.js';

const config = (name: string, json: Record<string, unknown>) =>
  parseGemma2Config({ model_type: 'gemma2', vocab_size: 256000, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, sliding_window: 4096, query_pre_attn_scalar: 256, hidden_activation: 'gelu_pytorch_tanh', ...json }, `${name}/config.json`);
/** Gemma-2 9B's and 2B's published config.json hyper-parameters. */
const GEMMA2_9B = config('gemma-2-9b', { hidden_size: 3584, num_hidden_layers: 42, num_attention_heads: 16, num_key_value_heads: 8, intermediate_size: 14336 });
const GEMMA2_2B = config('gemma-2-2b', { hidden_size: 2304, num_hidden_layers: 26, intermediate_size: 9216 });

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const upTo = (last: number) => Array.from({ length: last + 1 }, (_, i) => i);

/** A buffer as the pool allocates it: 16-byte steps up to 1 MiB, powers of two above. */
const pooled = (b: number) => {
  const x = Math.max(16, Math.ceil(b / 16) * 16);
  return x <= MiB ? x : 2 ** Math.ceil(Math.log2(x));
};

/** One weight matrix [rows, cols]: 4-byte words of 1/2/4/8 values per row, plus an f32 scale per 32 values for q8/q4. */
const weightBytes = (dtype: ModelDtype, rows: number, cols: number) =>
  rows * Math.ceil(cols / { f32: 1, f16: 2, q8: 4, q4: 8 }[dtype]) * 4 + (dtype === 'q8' || dtype === 'q4' ? rows * Math.ceil(cols / 32) * 4 : 0);

/**
 * The engine's GPU memory written out from the config's shapes: layers 0..loaded−1 of weights, hooks on `hooks`
 * of them, rank-16 LoRA on every module, K+1 streams of `tokens` tokens; LoRA and the LM head are counted unpooled.
 */
function reference(c: Gemma2Config, dtype: ModelDtype, loaded: number, hooks: number, adapters: number, tokens: number, logits = false) {
  const [h, q, kv, inter] = [c.hiddenSize, c.numAttentionHeads * c.headDim, c.numKeyValueHeads * c.headDim, c.intermediateSize];
  const mats: [number, number][] = [[q, h], [kv, h], [kv, h], [h, q], [inter, h], [inter, h], [h, inter]];
  const rows = (adapters + 1) * tokens;
  const buffers: [number, number][] = [
    ...mats.map(([r, k]): [number, number] => [weightBytes(dtype, r, k), loaded]),
    [h * 4, 4 * loaded + 1], // norms
    [Math.min(8 * MiB, inter * h * 4), 4], // staging ring
    [mats.length * 4, 1], // NaN/Inf flags
    [rows * h * 4, 3], [rows * q * 4, 2], [rows * kv * 4, 2], [rows * inter * 4, 2], [tokens * Math.max(h, q, inter) * 4, 2], // workspace
    [rows * h * 4, hooks], [adapters * tokens * h * 4, adapters > 0 ? hooks : 0], // resid_post, deltas
    [rows * c.vocabSize * 4, logits ? 1 : 0],
  ];
  const lora = adapters * loaded * mats.reduce((s, [r, k]) => s + 16 * (r + k), 0) * 4;
  const bytes = buffers.reduce((s, [b, n]) => s + pooled(b) * n, lora + (logits ? c.vocabSize * h * 4 : 0));
  return { bytes, largest: Math.max(...buffers.filter(([, n]) => n > 0).map(([b]) => pooled(b))) };
}

describe('what fits when a setup does not', () => {
  it('gives Gemma-2-9B in f32 over a 16 GiB budget the deepest layer each precision reaches', () => {
    const limits = { maxBufferBytes: 4 * GiB, maxBindingBytes: 2 * GiB, budgetBytes: 16 * GiB };
    const all = reference(GEMMA2_9B, 'f32', 42, 42, 4, 2048);
    expect(estimateMemory(GEMMA2_9B, { dtype: 'f32', layers: upTo(41), adapters: 4, batchTokens: 2048 }).bytes).toBe(all.bytes);
    const nf = whatFits(GEMMA2_9B, { dtype: 'f32', layers: upTo(41), adapters: 4, batchTokens: 2048 }, limits);
    expect(nf).not.toBeNull();
    expect(nf!.statement).toContain(`Gemma-2 (42 layers of 42, f32, 4 adapters, 2048 tokens per batch) needs ≈ ${formatBytes(all.bytes)} of GPU memory, over the budget of 16.0 GiB.`);
    expect(nf!.byDtype.map((d) => [d.dtype, d.layer])).toEqual([['q4', 21], ['q8', 18], ['f16', 13], ['f32', 8]]);
    for (const { dtype, layer } of nf!.byDtype) {
      const at = reference(GEMMA2_9B, dtype, layer! + 1, layer! + 1, 4, 2048);
      const deeper = reference(GEMMA2_9B, dtype, layer! + 2, layer! + 2, 4, 2048);
      expect(at.bytes).toBeLessThanOrEqual(16 * GiB);
      expect(deeper.bytes).toBeGreaterThan(16 * GiB);
      expect(nf!.statement).toContain(`${dtype} up to layer ${layer} (${formatBytes(at.bytes)})`);
    }
    expect(nf!.statement).toMatch(/What fits with 4 adapters and 2048 tokens per batch: q4 up to layer 21 \([\d.]+ GiB\), q8 up to layer 18 .*, f32 up to layer 8 \([\d.]+ GiB\)\.$/);
  });

  it('keeps the requested hooks below the deepest layer it offers', () => {
    // hooks on 3 and 30: q8 fits up to some layer L with hooks 3 and L, counted as two hooks
    const nf = whatFits(GEMMA2_9B, { dtype: 'f32', layers: [3, 30], adapters: 4, batchTokens: 2048 }, { maxBufferBytes: 4 * GiB, maxBindingBytes: 2 * GiB, budgetBytes: 12 * GiB });
    const q8 = nf!.byDtype.find((d) => d.dtype === 'q8')!;
    expect(q8.bytes).toBe(reference(GEMMA2_9B, 'q8', q8.layer! + 1, 2, 4, 2048).bytes);
    expect(reference(GEMMA2_9B, 'q8', q8.layer! + 2, 2, 4, 2048).bytes).toBeGreaterThan(12 * GiB);
  });

  it('offers fewer adapters or a smaller batch when the logits buffer exceeds the binding limit at every depth', () => {
    const limits = { maxBufferBytes: GiB, maxBindingBytes: 256 * MiB };
    const req = { dtype: 'q4' as const, layers: [5], adapters: 4, batchTokens: 64, logits: true };
    // logits [5 streams · 64 tokens, 256000] f32 = 327.7 MB, pooled to 512 MiB
    expect(reference(GEMMA2_2B, 'q4', 6, 1, 4, 64, true).largest).toBe(512 * MiB);
    const nf = whatFits(GEMMA2_2B, req, limits);
    expect(nf!.byDtype.every((d) => d.layer === null)).toBe(true);
    // 4 streams · 64 · 256000 · 4 = 262.1 MB ≤ 256 MiB; 5 streams · 52 tokens ≤ 256 MiB < 5 · 53
    expect([nf!.adapters, nf!.batchTokens]).toEqual([3, 52]);
    expect(reference(GEMMA2_2B, 'q4', 6, 1, 3, 64, true).largest).toBeLessThanOrEqual(256 * MiB);
    expect(reference(GEMMA2_2B, 'q4', 6, 1, 4, 52, true).largest).toBeLessThanOrEqual(256 * MiB);
    expect(reference(GEMMA2_2B, 'q4', 6, 1, 4, 53, true).largest).toBeGreaterThan(256 * MiB);
    expect(nf!.statement).toBe(
      'Gemma-2 (6 layers of 26, q4, 4 adapters, 64 tokens per batch, logits) needs a 512.0 MiB buffer, but this GPU binds at most 256.0 MiB (maxStorageBufferBindingSize 268435456, maxBufferSize 1073741824). ' +
        'No precision fits with 4 adapters and 64 tokens per batch; q4 up to layer 5 fits with at most 3 adapters, or with at most 52 tokens per batch.',
    );
    // the smaller of the two limits counts: a buffer exactly at it fits
    expect(whatFits(GEMMA2_2B, { ...req, batchTokens: 52 }, { maxBufferBytes: 256 * MiB, maxBindingBytes: GiB })).toBeNull();
  });

  it('returns null when the setup fits, and finds the edge for the 2B in f32 against a 4 GiB budget', () => {
    expect(whatFits(GEMMA2_2B, { dtype: 'q4', layers: [12], adapters: 2, batchTokens: 512 }, { maxBufferBytes: 4 * GiB, maxBindingBytes: 2 * GiB, budgetBytes: 8 * GiB })).toBeNull();
    const nf = whatFits(GEMMA2_2B, { dtype: 'f32', layers: upTo(25), adapters: 2, batchTokens: 512 }, { maxBufferBytes: 4 * GiB, maxBindingBytes: 2 * GiB, budgetBytes: 4 * GiB });
    for (const { dtype, layer, bytes } of nf!.byDtype) {
      expect(bytes).toBe(reference(GEMMA2_2B, dtype, layer! + 1, layer! + 1, 2, 512).bytes);
      expect(bytes).toBeLessThanOrEqual(4 * GiB);
      if (layer! < 25) expect(reference(GEMMA2_2B, dtype, layer! + 2, layer! + 2, 2, 512).bytes).toBeGreaterThan(4 * GiB);
    }
  });
});
