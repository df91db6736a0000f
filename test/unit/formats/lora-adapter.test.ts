import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import {
  type Gemma2Config, type LoraAdapterFiles, SafetensorsFile, loadLoraAdapter, parseGemma2Config, resolvedModules, writeSafetensors,
} from '../../../src/formats/index.js';
import { fixtureBytes, fixtureJson } from '../../helpers/fixtures.js';

const ADAPTERS = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'];
const base: Gemma2Config = parseGemma2Config(await fixtureJson('model/config.json'), 'config.json');
const cases = (await fixtureJson<{ cases: { name: string }[] }>('adapters/bad/cases.json')).cases;

/** A Blob that counts the bytes read through it, to prove validation reads headers only. */
class CountingBlob extends Blob {
  bytesRead = 0;
  override slice(start?: number, end?: number, type?: string): Blob {
    this.bytesRead += (end ?? this.size) - (start ?? 0);
    return super.slice(start, end, type);
  }
}

async function adapterFiles(dir: string): Promise<{ files: LoraAdapterFiles; weights: CountingBlob }> {
  const weights = new CountingBlob([await fixtureBytes(`${dir}/adapter_model.safetensors`)]);
  return { files: { config: await fixtureBytes(`${dir}/adapter_config.json`), weights }, weights };
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('PEFT LoRA adapters resolve exactly as resolved_modules.json', () => {
  it.each(ADAPTERS)('%s, with and without the base config, reading only the header', async (name) => {
    const want = (await fixtureJson<{ modules: unknown[] }>(`adapters/${name}/resolved_modules.json`)).modules;
    for (const b of [base, undefined]) {
      const { files, weights } = await adapterFiles(`adapters/${name}`);
      const adapter = await loadLoraAdapter(files, name, b);
      expect(resolvedModules(adapter)).toEqual(want);
      const headerEnd = Math.min(...[...adapter.weights.tensors.values()].map((t) => t.begin));
      expect(weights.bytesRead).toBeLessThanOrEqual(headerEnd);
    }
  });

  it('modules carry tensor names and in/out features from the base config', async () => {
    const { files } = await adapterFiles('adapters/r8-patterns');
    const a = await loadLoraAdapter(files, 'r8-patterns', base);
    const down2 = a.modules.find((m) => m.module === 'model.layers.2.mlp.down_proj')!;
    expect(down2).toMatchObject({ layer: 2, kind: 'down_proj', r: 12, loraAlpha: 6, inFeatures: 128, outFeatures: 64 });
    expect(down2.aName).toBe('base_model.model.model.layers.2.mlp.down_proj.lora_A.weight');
    expect((await a.weights.readF32(down2.bName)).length).toBe(64 * 12);
  });
});

const EXPECTED: Record<string, { file: RegExp; problem: RegExp }> = {
  truncated: { file: /adapter_model\.safetensors$/, problem: /tensor .+: data ends at byte \d+, file has 68407 \(truncated file\)/ },
  'header-length-overflow': { file: /adapter_model\.safetensors$/, problem: /^header length 73504 exceeds file size 69408$/ },
  'header-length-u64max': { file: /adapter_model\.safetensors$/, problem: /^header length 18446744073709551615 exceeds file size 69408$/ },
  'offsets-shape-mismatch': { file: /adapter_model\.safetensors$/, problem: /layers\.0\.self_attn\.q_proj\.lora_A\.weight: data_offsets span 1024 bytes but shape \[4, 65\] of F32 needs 1040/ },
  'shape-mismatch': { file: /adapter_model\.safetensors$/, problem: /^model\.layers\.0\.self_attn\.q_proj: lora_A is \[4, 80\], expected \[4, 64\]/ },
  'rank-mismatch': { file: /adapter_model\.safetensors$/, problem: /^model\.layers\.1\.mlp\.up_proj: lora_B is \[128, 8\] but lora_A is \[4, 64\]/ },
  'unknown-module': { file: /adapter_model\.safetensors$/, problem: /^unknown module model\.layers\.0\.self_attn\.foo_proj/ },
  'invalid-json': { file: /adapter_config\.json$/, problem: /^invalid JSON/ },
  'missing-lora-B': { file: /adapter_model\.safetensors$/, problem: /^model\.layers\.1\.mlp\.down_proj: has lora_A but no lora_B$/ },
  'layer-out-of-range': { file: /adapter_model\.safetensors$/, problem: /^model\.layers\.4\.self_attn\.q_proj: layer 4 is out of range \(the base model has layers 0\.\.3\)$/ },
};

describe('bad adapters in adapters/bad/cases.json are rejected, fast, before reading tensor data', () => {
  it('every case in cases.json has an expectation here', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  it.each(cases.map((c) => c.name))('%s', async (name) => {
    const { files, weights } = await adapterFiles(`adapters/bad/${name}`);
    const t0 = process.cpuUsage();
    const e = await rejection(loadLoraAdapter(files, name, base));
    const cpu = process.cpuUsage(t0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(1000);
    expect(e.file).toMatch(EXPECTED[name].file);
    expect(e.file.startsWith(`${name}/`)).toBe(true);
    expect(e.problem).toMatch(EXPECTED[name].problem);
    expect(e.message.split('\n')).toHaveLength(1);
    expect(weights.bytesRead).toBeLessThan(12_000);
  });
});

/** r4 with a changed config and/or changed tensors, built in the test. */
async function variant(config: (c: Record<string, unknown>) => void, tensors?: (t: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>) => void): Promise<LoraAdapterFiles> {
  const cfg = await fixtureJson<Record<string, unknown>>('adapters/r4/adapter_config.json');
  config(cfg);
  const st = await SafetensorsFile.open(await fixtureBytes('adapters/r4/adapter_model.safetensors'), 'r4');
  const t: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [n, info] of st.tensors) t[n] = { dtype: 'F32', shape: info.shape, data: await st.readF32(n) };
  tensors?.(t);
  return { config: new TextEncoder().encode(JSON.stringify(cfg)), weights: writeSafetensors(t) };
}

const LAYER0 = 'base_model.model.model.layers.0';

describe('adapter configs: PEFT semantics and unsupported features', () => {
  it('a target_modules regex string is full-matched against module names', async () => {
    const all = await loadLoraAdapter(await variant((c) => { c.target_modules = 'model\\.layers\\.\\d+\\.(self_attn|mlp)\\.\\w+_proj'; }), 'rx', base);
    expect(all.modules).toHaveLength(28);
    expect((await loadLoraAdapter(await variant((c) => { c.target_modules = 'all-linear'; }), 'al', base)).modules).toHaveLength(28);
    const ex = await rejection(loadLoraAdapter(await variant((c) => { c.exclude_modules = ['down_proj']; }), 'ex', base));
    expect(ex.problem).toMatch(/^model\.layers\.0\.mlp\.down_proj: has LoRA tensors but target_modules/);
    const partial = variant((c) => { c.target_modules = '.*\\.(q_proj|k_proj|v_proj|o_proj)'; });
    const e = await rejection(loadLoraAdapter(await partial, 'rx2', base));
    expect(e.problem).toMatch(/^model\.layers\.0\.mlp\.gate_proj: has LoRA tensors but target_modules/);
    // Full match: 'q_proj' alone matches no module name as a regex string.
    const e2 = await rejection(loadLoraAdapter(await variant((c) => { c.target_modules = 'q_proj'; }), 'rx3', base));
    expect(e2.problem).toMatch(/target_modules/);
  });

  it('rank_pattern / alpha_pattern keys are regexes; the first matching key wins', async () => {
    const files = await variant(
      (c) => {
        c.rank_pattern = { 'layers\\.1\\..*': 4, q_proj: 99 };
        c.alpha_pattern = { 'layers\\.[13]\\.self_attn\\.q_proj': 2, q_proj: 32, 'mlp\\.(up|down)_proj': 12 };
        c.use_rslora = true;
      },
    );
    const e = await rejection(loadLoraAdapter(files, 'pat', base));
    expect(e.problem).toBe('model.layers.0.self_attn.q_proj: lora_A is [4, 64] but the config gives r = 99 (after rank_pattern)');
    const ok = await loadLoraAdapter(await variant((c) => {
      c.rank_pattern = { 'layers\\.1\\..*': 4 };
      c.alpha_pattern = { 'layers\\.[13]\\.self_attn\\.q_proj': 2, q_proj: 32, 'mlp\\.(up|down)_proj': 12 };
      c.use_rslora = true;
    }), 'pat', base);
    const by = new Map(ok.modules.map((m) => [m.module, m]));
    expect(by.get('model.layers.1.self_attn.q_proj')).toMatchObject({ r: 4, loraAlpha: 2, scaling: 1 });
    expect(by.get('model.layers.0.self_attn.q_proj')).toMatchObject({ r: 4, loraAlpha: 32, scaling: 16 });
    expect(by.get('model.layers.2.mlp.up_proj')).toMatchObject({ loraAlpha: 12, scaling: 6 });
    expect(by.get('model.layers.2.mlp.gate_proj')).toMatchObject({ loraAlpha: 8, scaling: 4 });
  });

  it('layers_to_transform as an int selects one layer; other layers\' tensors are rejected', async () => {
    const e = await rejection(loadLoraAdapter(await variant((c) => { c.layers_to_transform = 2; c.layers_pattern = 'layers'; }), 'lt', base));
    expect(e.problem).toMatch(/^model\.layers\.0\.self_attn\.q_proj: has LoRA tensors but target_modules \/ layers_to_transform/);
    const only2 = await loadLoraAdapter(await variant(
      (c) => { c.layers_to_transform = 2; },
      (t) => { for (const k of Object.keys(t)) if (!k.includes('.layers.2.')) delete t[k]; },
    ), 'lt2', base);
    expect(only2.modules.map((m) => m.layer)).toEqual([2, 2, 2, 2, 2, 2, 2]);
  });

  const unsupported: [string, (c: Record<string, unknown>) => void, RegExp][] = [
    ['use_dora', (c) => { c.use_dora = true; }, /^unsupported: use_dora/],
    ['modules_to_save', (c) => { c.modules_to_save = ['lm_head']; }, /^unsupported: modules_to_save \["lm_head"\]/],
    ['bias "all"', (c) => { c.bias = 'all'; }, /^unsupported: bias "all"/],
    ['fan_in_fan_out', (c) => { c.fan_in_fan_out = true; }, /^unsupported: fan_in_fan_out/],
    ['another PEFT type', (c) => { c.peft_type = 'IA3'; }, /^unsupported: peft_type "IA3"/],
    ['a bad regex', (c) => { c.target_modules = '(q_proj'; }, /^target_modules: invalid regular expression/],
    ['a non-integer r', (c) => { c.r = 2.5; }, /^invalid PEFT LoRA config \(r: /],
  ];
  it.each(unsupported)('%s is one clear InputError line naming adapter_config.json', async (_w, edit, problem) => {
    const e = await rejection(loadLoraAdapter(await variant(edit), 'x', base));
    expect(e.file).toBe('x/adapter_config.json');
    expect(e.problem).toMatch(problem);
    expect(e.message).not.toContain('\n');
  });

  it('LoRA bias tensors, DoRA magnitudes and a lone lora_B are rejected, naming the tensor or module', async () => {
    const bias = await variant(() => {}, (t) => { t[`${LAYER0}.self_attn.q_proj.lora_B.bias`] = { dtype: 'F32', shape: [48], data: new Float32Array(48) }; });
    expect((await rejection(loadLoraAdapter(bias, 'b', base))).problem).toMatch(/^unsupported: bias tensor .*q_proj\.lora_B\.bias/);
    const dora = await variant(() => {}, (t) => { t[`${LAYER0}.self_attn.q_proj.lora_magnitude_vector`] = { dtype: 'F32', shape: [48], data: new Float32Array(48) }; });
    expect((await rejection(loadLoraAdapter(dora, 'd', base))).problem).toMatch(/^unsupported: DoRA tensor/);
    const loneB = await variant(() => {}, (t) => { delete t[`${LAYER0}.mlp.up_proj.lora_A.weight`]; });
    expect((await rejection(loadLoraAdapter(loneB, 'l', base))).problem).toBe('model.layers.0.mlp.up_proj: has lora_B but no lora_A');
  });

  it('without a base config, a shape that disagrees with its sibling layers is still caught', async () => {
    const { files } = await adapterFiles('adapters/bad/shape-mismatch');
    const e = await rejection(loadLoraAdapter(files, 'sm'));
    expect(e.problem).toBe('model.layers.0.self_attn.q_proj: lora_A is [4, 80] but the other q_proj modules have in_features 64');
  });
});
