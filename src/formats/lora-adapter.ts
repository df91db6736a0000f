import { InputError } from '../errors/index.js';
import { type ByteSource, readJson } from './byte-source.js';
import { type ModelFiles, fileLabel } from './model-files.js';
import { isFloatDtype } from './dtype.js';
import { GEMMA2_LIMITS, type Gemma2Config, PROJECTION_KINDS, type ProjectionKind, projectionParent, projectionShape } from './gemma2-config.js';
import { type PeftLoraConfig, isTargeted, parsePeftLoraConfig, resolveModule } from './peft-config.js';
import { SafetensorsFile, type TensorInfo } from './safetensors.js';

/** One adapted linear layer: y = x Wᵀ + scaling · (x Aᵀ) Bᵀ with A [r, in], B [out, r]. */
export interface LoraModule {
  /** HF module path, e.g. model.layers.0.self_attn.q_proj */
  module: string;
  layer: number;
  kind: ProjectionKind;
  r: number;
  loraAlpha: number;
  scaling: number;
  inFeatures: number;
  outFeatures: number;
  /** Tensor names in the adapter file. */
  aName: string;
  bName: string;
}

export interface LoraAdapter {
  name: string;
  config: PeftLoraConfig;
  /** Sorted by layer, then q, k, v, o, gate, up, down. */
  modules: LoraModule[];
  weights: SafetensorsFile;
}

export interface LoraAdapterFiles {
  config: ByteSource;
  weights: ByteSource;
  /** Names used in error messages; default `<name>/adapter_config.json` and `<name>/adapter_model.safetensors`. */
  configName?: string;
  weightsName?: string;
}

const TENSOR_RE = /^(?:base_model\.model\.)?(model\.layers\.(\d+)\.([A-Za-z_]+)\.([A-Za-z0-9_]+))\.lora_([AB])\.weight$/;

interface Pair {
  module: string;
  layer: number;
  parent: string;
  kind: string;
  a?: TensorInfo;
  b?: TensorInfo;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Groups lora_A / lora_B tensors by module; anything else in the file is reported, never skipped. */
function pairTensors(st: SafetensorsFile, file: string): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const t of st.tensors.values()) {
    const m = TENSOR_RE.exec(t.name);
    if (!m) {
      if (/lora_magnitude_vector/.test(t.name)) throw new InputError(file, `unsupported: DoRA tensor ${t.name}`);
      if (/\.bias$/.test(t.name)) throw new InputError(file, `unsupported: bias tensor ${t.name} (LoRA bias terms are not supported)`);
      throw new InputError(file, `unsupported tensor ${t.name} (expected base_model.model.model.layers.N.<block>.<proj>.lora_A/B.weight)`);
    }
    const [, module, layer, parent, kind, ab] = m;
    const p = pairs.get(module) ?? { module, layer: Number(layer), parent, kind };
    if (ab === 'A') p.a = t;
    else p.b = t;
    pairs.set(module, p);
  }
  return pairs;
}

function knownKind(p: Pair): ProjectionKind | undefined {
  const kind = PROJECTION_KINDS.find((k) => k === p.kind);
  return kind && projectionParent(kind) === p.parent ? kind : undefined;
}

/** Without a base config, every module of one kind must at least agree with its siblings. */
function checkSiblings(mods: LoraModule[], file: string): void {
  for (const kind of PROJECTION_KINDS) {
    const same = mods.filter((m) => m.kind === kind);
    for (const dim of ['inFeatures', 'outFeatures'] as const) {
      const counts = new Map<number, number>();
      for (const m of same) counts.set(m[dim], (counts.get(m[dim]) ?? 0) + 1);
      if (counts.size < 2) continue;
      const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const odd = same.find((m) => m[dim] !== common)!;
      const which = dim === 'inFeatures' ? `lora_A is [${odd.r}, ${odd.inFeatures}]` : `lora_B is [${odd.outFeatures}, ${odd.r}]`;
      throw new InputError(file, `${odd.module}: ${which} but the other ${kind} modules have ${dim === 'inFeatures' ? 'in' : 'out'}_features ${common}`);
    }
  }
}

function buildModule(p: Pair, cfg: PeftLoraConfig, base: Gemma2Config | undefined, file: string, cfgFile: string): LoraModule {
  const kind = knownKind(p);
  if (!kind) throw new InputError(file, `unknown module ${p.module} (${p.kind} under ${p.parent} is not a Gemma-2 projection)`);
  if (!p.a) throw new InputError(file, `${p.module}: has lora_B but no lora_A`);
  if (!p.b) throw new InputError(file, `${p.module}: has lora_A but no lora_B`);
  if (base && p.layer >= base.numHiddenLayers) {
    throw new InputError(file, `${p.module}: layer ${p.layer} is out of range (the base model has layers 0..${base.numHiddenLayers - 1})`);
  }
  if (p.layer >= GEMMA2_LIMITS.layers) {
    throw new InputError(file, `${p.module.slice(0, 200)}: layer ${p.layer} is beyond any model (at most ${GEMMA2_LIMITS.layers} layers)`);
  }
  if (!isTargeted(cfg, p.module, cfgFile)) {
    throw new InputError(file, `${p.module}: has LoRA tensors but target_modules / layers_to_transform / exclude_modules in adapter_config.json do not select it`);
  }
  for (const t of [p.a, p.b]) {
    if (!isFloatDtype(t.dtype)) throw new InputError(file, `${t.name}: dtype ${t.dtype}, expected F32, F16 or BF16`);
    if (t.shape.length !== 2) throw new InputError(file, `${t.name}: shape ${shapeText(t.shape)} is not 2-D`);
  }
  const { r, loraAlpha, scaling } = resolveModule(cfg, p.module, cfgFile);
  const [aR, aIn] = p.a.shape;
  const [bOut, bR] = p.b.shape;
  if (aR !== r) throw new InputError(file, `${p.module}: lora_A is ${shapeText(p.a.shape)} but the config gives r = ${r} (after rank_pattern)`);
  if (bR !== aR) {
    throw new InputError(file, `${p.module}: lora_B is ${shapeText(p.b.shape)} but lora_A is ${shapeText(p.a.shape)}; lora_B.shape[1] must equal lora_A.shape[0] = r = ${r}`);
  }
  if (base) {
    const [out, inF] = projectionShape(base, kind);
    if (aIn !== inF) throw new InputError(file, `${p.module}: lora_A is ${shapeText(p.a.shape)}, expected [${r}, ${inF}] (in_features of ${kind} is ${inF})`);
    if (bOut !== out) throw new InputError(file, `${p.module}: lora_B is ${shapeText(p.b.shape)}, expected [${out}, ${r}] (out_features of ${kind} is ${out})`);
  }
  return { module: p.module, layer: p.layer, kind, r, loraAlpha, scaling, inFeatures: aIn, outFeatures: bOut, aName: p.a.name, bName: p.b.name };
}

/**
 * Opens a PEFT LoRA adapter and validates it (against `base` when given) from the config and the
 * safetensors header alone: no tensor data is read, so a bad file fails fast and nothing large is allocated.
 */
export async function loadLoraAdapter(files: LoraAdapterFiles, name: string, base?: Gemma2Config): Promise<LoraAdapter> {
  const cfgFile = files.configName ?? `${name}/adapter_config.json`;
  const wFile = files.weightsName ?? `${name}/adapter_model.safetensors`;
  const config = parsePeftLoraConfig(await readJson(files.config, cfgFile), cfgFile);
  const weights = await SafetensorsFile.open(files.weights, wFile);
  const pairs = pairTensors(weights, wFile);
  if (pairs.size === 0) throw new InputError(wFile, 'no lora_A / lora_B tensors');
  const modules = [...pairs.values()].map((p) => buildModule(p, config, base, wFile, cfgFile));
  if (!base) checkSiblings(modules, wFile);
  modules.sort((a, b) => a.layer - b.layer || PROJECTION_KINDS.indexOf(a.kind) - PROJECTION_KINDS.indexOf(b.kind));
  return { name, config, modules, weights };
}

/** Reads every LoRA factor once: NaN or infinite weights are bad input naming the file and the tensor (readF32 checks). */
export async function checkLoraWeightsFinite(adapter: LoraAdapter): Promise<void> {
  for (const m of adapter.modules) {
    await adapter.weights.readF32(m.aName);
    await adapter.weights.readF32(m.bName);
  }
}

/** An adapter folder (adapter_config.json + adapter_model.safetensors); its name defaults to the folder's. */
export async function loadLoraAdapterFolder(files: ModelFiles, base?: Gemma2Config, name?: string): Promise<LoraAdapter> {
  const config = files.get('adapter_config.json');
  if (!config) throw new InputError(fileLabel(files, 'adapter_config.json'), 'missing file');
  const weights = files.get('adapter_model.safetensors');
  if (!weights) {
    const bin = files.get('adapter_model.bin') ? 'adapter_model.bin' : 'adapter_model.safetensors';
    const problem = bin === 'adapter_model.bin' ? 'unsupported: PyTorch pickle weights; save the adapter with safetensors' : 'missing file';
    throw new InputError(fileLabel(files, bin), problem);
  }
  const folder = files.label.replace(/\/+$/, '').split('/').pop() || 'adapter';
  return loadLoraAdapter(
    { config, weights, configName: fileLabel(files, 'adapter_config.json'), weightsName: fileLabel(files, 'adapter_model.safetensors') },
    name ?? folder,
    base,
  );
}

/** The `inspect` / resolved_modules.json view of an adapter. */
export function resolvedModules(adapter: LoraAdapter): { module: string; r: number; lora_alpha: number; scaling: number }[] {
  return adapter.modules.map((m) => ({ module: m.module, r: m.r, lora_alpha: m.loraAlpha, scaling: m.scaling }));
}
