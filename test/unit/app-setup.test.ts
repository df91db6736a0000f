import { describe, expect, it } from 'vitest';
import { formatDuration, progressText } from '../../src/app/run/progress-text.js';
import { groupAdapters } from '../../src/app/setup/adapter-groups.js';
import { filesUnder } from '../../src/app/setup/dropped-files.js';
import { parseLayerList } from '../../src/app/setup/layer-list.js';
import { checkMemory } from '../../src/app/setup/memory-estimate.js';
import { parseGemma2Config } from '../../src/formats/index.js';
import type { RunConfigInput } from '../../src/lab/run-config.js';

const f = (path: string) => ({ path });

describe('grouping a drop into adapters', () => {
  it('makes one adapter per folder holding adapter files, named after the folder', () => {
    const groups = groupAdapters([f('lora/r16/adapter_config.json'), f('lora/r16/adapter_model.safetensors'), f('lora/r4/adapter_config.json'), f('lora/r4/adapter_model.safetensors'), f('lora/README.md')]);
    expect(groups.map((g) => g.name)).toEqual(['r4', 'r16']);
    expect(groups[0].config?.path).toBe('lora/r4/adapter_config.json');
    expect(groups[0].weights?.path).toBe('lora/r4/adapter_model.safetensors');
  });

  it('names loose files with the fallback and keeps names unique', () => {
    const groups = groupAdapters([f('adapter_config.json'), f('adapter_model.safetensors')], ['adapter'], 'adapter');
    expect(groups).toHaveLength(1);
    expect(groups[0].name).toBe('adapter-2');
  });

  it('keeps a folder with only a pickle or only a config, so its error can be shown', () => {
    const groups = groupAdapters([f('x/adapter_config.json'), f('x/adapter_model.bin'), f('y/adapter_model.safetensors')]);
    expect(groups.map((g) => [g.name, !!g.config, !!g.weights, !!g.pickle])).toEqual([
      ['x', true, false, true],
      ['y', false, true, false],
    ]);
  });

  it('keys files by their path inside a folder', () => {
    expect([...filesUnder([f('m/config.json'), f('m/sub/a.json'), f('other/b')], 'm').keys()]).toEqual(['config.json', 'sub/a.json']);
  });
});

describe('layer lists', () => {
  it('reads single layers and ranges, sorted and unique', () => {
    expect(parseLayerList('3, 0-2, 2')).toEqual([0, 1, 2, 3]);
    expect(parseLayerList('5')).toEqual([5]);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'a', '3-1', '1,,x', '-1']) expect(parseLayerList(bad), bad).toBeNull();
  });
});

describe('progress text', () => {
  it('shows done/total, rate and ETA in the stage unit', () => {
    expect(progressText({ stage: 'extract', done: 1024, total: 6144, perSecond: 41.8, etaSeconds: 122 })).toBe('1,024 / 6,144 tokens · 41.8 tokens/s · ETA 2 min 2 s');
    expect(progressText({ stage: 'train', done: 400, total: 400, perSecond: 0, etaSeconds: null })).toBe('400 / 400 steps');
    expect(formatDuration(7300)).toBe('2 h 2 min');
  });
});

describe('the setup memory line', () => {
  const cfg = parseGemma2Config(
    {
      model_type: 'gemma2', hidden_size: 3584, num_hidden_layers: 42, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 256,
      intermediate_size: 14336, vocab_size: 256000, sliding_window: 4096, query_pre_attn_scalar: 256, hidden_activation: 'gelu_pytorch_tanh',
    },
    'gemma-2-9b/config.json',
  );
  const gpu = { vendor: 'v', architecture: 'a', description: 'd', isFallbackAdapter: false, features: [], maxBufferSize: 4 * 2 ** 30, maxStorageBufferBindingSize: 2 * 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256 };
  const draft: RunConfigInput = {
    version: 1,
    model: { kind: 'demo' },
    dataset: { source: { kind: 'sample' }, sequences: 64, sequenceLength: 256 },
    adapters: ['a', 'b', 'c', 'd'].map((name) => ({ name, source: { kind: 'demo' as const } })),
    layers: Array.from({ length: 42 }, (_, i) => i),
    sae: { architecture: 'topk', width: 256, k: 8, lr: 0.002, steps: 100, batchSize: 64 },
  };

  it('says what fits, and does not fit, when the estimate is over the memory budget', () => {
    const m = checkMemory(cfg, { ...draft, gpuMemoryGiB: 16 }, gpu);
    expect(m.fits).toBe(false);
    expect(m.text).toMatch(/^Gemma-2 \(42 layers of 42, f32, 4 adapters, 2048 tokens per batch\) needs ≈ [\d.]+ GiB of GPU memory, over the budget of 16\.0 GiB\. What fits .*: q4 up to layer 21 /);
  });

  it('fits without a budget when every buffer is within the limits, and counts the random-LoRA stream', () => {
    const m = checkMemory(cfg, { ...draft, controls: { randomLora: true } }, gpu);
    expect(m.fits).toBe(true);
    expect(m.text).toMatch(/5 adapter streams and a batch of 2048 tokens; .*; no memory budget set\.$/);
  });

  it('checks the budget even before a GPU is known', () => {
    expect(checkMemory(cfg, { ...draft, gpuMemoryGiB: 16 }, null).fits).toBe(false);
    expect(checkMemory(cfg, draft, null).fits).toBeNull();
  });
});
