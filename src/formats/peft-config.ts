import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { parseJsonText } from './byte-source.js';
import { PyRegex } from './py-regex.js';

/** The fields of a PEFT `adapter_config.json` that decide which modules get which rank and alpha. */
export interface PeftLoraConfig {
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  /** A list of module-name suffixes, or one regex that must match the whole module name. */
  targetModules: string[] | string | null;
  excludeModules: string[] | string | null;
  /** Regex keys in insertion order (JSON object order is kept by JS for non-integer keys). */
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  layersToTransform: number[] | null;
  layersPattern: string[] | null;
  baseModelNameOrPath: string | null;
}

/** Far above any useful LoRA rank; a larger r could only size buffers from a hostile config. */
const MAX_RANK = 65_536;

/** PEFT's defaults (LoraConfig dataclass) where a field is absent. */
const schema = z.object({
  peft_type: z.string().nullable().optional(),
  r: z.number().int().positive().max(MAX_RANK).default(8),
  lora_alpha: z.number().positive().default(8),
  use_rslora: z.boolean().default(false),
  target_modules: z.union([z.array(z.string()), z.string()]).nullable().default(null),
  exclude_modules: z.union([z.array(z.string()), z.string()]).nullable().default(null),
  rank_pattern: z.record(z.string(), z.number().int().positive().max(MAX_RANK)).nullable().default({}),
  alpha_pattern: z.record(z.string(), z.number().positive()).nullable().default({}),
  layers_to_transform: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullable().default(null),
  layers_pattern: z.union([z.string(), z.array(z.string())]).nullable().default(null),
  fan_in_fan_out: z.boolean().default(false),
  bias: z.string().default('none'),
  use_dora: z.boolean().default(false),
  modules_to_save: z.array(z.string()).nullable().default(null),
  base_model_name_or_path: z.string().nullable().default(null),
});

/** Compiled patterns by source: configs repeat a handful of patterns across hundreds of modules. */
const compiled = new Map<string, PyRegex>();
const MAX_CACHED = 4096;

/** A Python `re` pattern from a config, matched in linear time; a pattern we cannot run that way is bad input naming the field. */
export function pyRegex(pattern: string, fileName: string, field: string): PyRegex {
  let re = compiled.get(pattern);
  if (re) return re;
  try {
    re = new PyRegex(pattern);
  } catch (e) {
    throw new InputError(fileName, `${field}: invalid regular expression ${JSON.stringify(pattern.slice(0, 200))} (${e instanceof Error ? e.message : String(e)})`);
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

export function parsePeftLoraConfig(json: unknown, fileName: string): PeftLoraConfig {
  const obj = typeof json === 'string' ? parseJsonText(json, fileName) : json;
  const parsed = schema.safeParse(obj);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InputError(fileName, `invalid PEFT LoRA config (${issues})`);
  }
  const c = parsed.data;
  if (c.peft_type && c.peft_type !== 'LORA') throw new InputError(fileName, `unsupported: peft_type "${c.peft_type}" (only LORA adapters are supported)`);
  if (c.use_dora) throw new InputError(fileName, 'unsupported: use_dora is true (DoRA adapters are not supported)');
  if (c.modules_to_save && c.modules_to_save.length > 0) {
    throw new InputError(fileName, `unsupported: modules_to_save ${JSON.stringify(c.modules_to_save)} (fully trained module copies are not supported)`);
  }
  if (c.bias !== 'none') throw new InputError(fileName, `unsupported: bias "${c.bias}" (LoRA bias terms are not supported)`);
  if (c.fan_in_fan_out) throw new InputError(fileName, 'unsupported: fan_in_fan_out is true (Conv1D-style transposed weights are not supported)');
  const config: PeftLoraConfig = {
    r: c.r,
    loraAlpha: c.lora_alpha,
    useRslora: c.use_rslora,
    targetModules: c.target_modules,
    excludeModules: c.exclude_modules,
    rankPattern: c.rank_pattern ?? {},
    alphaPattern: c.alpha_pattern ?? {},
    layersToTransform: c.layers_to_transform === null ? null : Array.isArray(c.layers_to_transform) ? c.layers_to_transform : [c.layers_to_transform],
    layersPattern: c.layers_pattern === null ? null : Array.isArray(c.layers_pattern) ? c.layers_pattern : [c.layers_pattern],
    baseModelNameOrPath: c.base_model_name_or_path,
  };
  // Compile every pattern now so a bad regex fails here, naming the field.
  const t = config.targetModules;
  if (typeof t === 'string' && t !== 'all-linear') pyRegex(t, fileName, 'target_modules');
  if (typeof config.excludeModules === 'string') pyRegex(config.excludeModules, fileName, 'exclude_modules');
  for (const k of Object.keys(config.rankPattern)) pyRegex(patternKeyRegex(k), fileName, 'rank_pattern');
  for (const k of Object.keys(config.alphaPattern)) pyRegex(patternKeyRegex(k), fileName, 'alpha_pattern');
  for (const p of config.layersPattern ?? []) pyRegex(layersPrefixRegex(p), fileName, 'layers_pattern');
  return config;
}

/** PEFT get_pattern_key: key k matches module name n when re.match(rf"(.*\.)?({k})$", n) (the same text substitution). */
const patternKeyRegex = (k: string): string => `(.*\\.)?(${k})$`;

function firstPatternValue(pattern: Record<string, number>, name: string, fallback: number, fileName: string, field: string): number {
  for (const [k, v] of Object.entries(pattern)) {
    if (pyRegex(patternKeyRegex(k), fileName, field).match(name)) return v;
  }
  return fallback;
}

/** What must come before `.<digits>.` for PEFT's re.match(rf".*\.{p}\.(\d+)\.", name): `.*\.{p}`, matched in full. */
const layersPrefixRegex = (p: string): string => `.*\\.(?:${p})`;

/**
 * The layer index PEFT reads from a module name: the last `.<digits>.` whose prefix matches `.*\.<layers_pattern>`
 * (`.*\.[^.]*` without one). Greedy `.*` makes Python prefer the last such place, so candidates are tried right to left.
 */
function layerIndexOf(name: string, layersPattern: string[] | null, fileName: string): number | undefined {
  const prefixes = layersPattern && layersPattern.length > 0 ? layersPattern.map((p) => pyRegex(layersPrefixRegex(p), fileName, 'layers_pattern')) : [pyRegex('.*\\.[^.]*', fileName, 'layers_pattern')];
  const runs = [...name.matchAll(/\.(\d+)(?=\.)/g)].reverse();
  for (const re of prefixes) {
    for (const m of runs) if (re.fullmatch(name.slice(0, m.index))) return Number(m[1]);
  }
  return undefined;
}

function matchesList(list: string[], name: string): boolean {
  return list.includes(name) || list.some((t) => name.endsWith(`.${t}`));
}

/** PEFT check_target_module_exists: does this config put a LoRA on module `name` (e.g. model.layers.0.mlp.up_proj)? */
export function isTargeted(c: PeftLoraConfig, name: string, fileName: string): boolean {
  const ex = c.excludeModules;
  if (typeof ex === 'string' ? pyRegex(ex, fileName, 'exclude_modules').fullmatch(name) : ex !== null && matchesList(ex, name)) return false;
  const t = c.targetModules;
  if (t === null) return false;
  // PEFT's shorthand: every linear layer but the output head (all seven projections here).
  if (t === 'all-linear') return true;
  if (typeof t === 'string') return pyRegex(t, fileName, 'target_modules').fullmatch(name);
  if (t.includes(name)) return true;
  if (!matchesList(t, name)) return false;
  if (c.layersToTransform === null || c.layersToTransform.length === 0) return true;
  const layer = layerIndexOf(name, c.layersPattern, fileName);
  return layer !== undefined && c.layersToTransform.includes(layer);
}

export interface ResolvedRank {
  r: number;
  loraAlpha: number;
  scaling: number;
}

/** Rank, alpha and scaling of one module after rank_pattern / alpha_pattern (looked up separately). */
export function resolveModule(c: PeftLoraConfig, name: string, fileName: string): ResolvedRank {
  const r = firstPatternValue(c.rankPattern, name, c.r, fileName, 'rank_pattern');
  const loraAlpha = firstPatternValue(c.alphaPattern, name, c.loraAlpha, fileName, 'alpha_pattern');
  return { r, loraAlpha, scaling: c.useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r };
}
