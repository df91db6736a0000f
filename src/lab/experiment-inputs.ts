import { InputError } from '../errors/index.js';
import { modelFilesFromMap, modelFilesFromUrl, type ByteSource, type ModelFiles } from '../formats/index.js';
import type { RunConfig, Source } from './run-config.js';

/**
 * Turns the config's sources into files. `demo` sources live under the app's public/demo folder; `local`
 * ones are what the user dropped (browser) or what the CLI harness serves from disk; `url` and `hub` are
 * read with HTTP range requests, the token (if any) passed along, never stored.
 */
export interface LocalInputs {
  model?: ModelFiles;
  tokenizer?: ModelFiles;
  dataset?: { name: string; source: ByteSource };
  adapters: Map<string, ModelFiles>;
  pretrained: Map<number, ModelFiles>;
}

export interface InputLocator {
  /** Absolute URL of the demo folder, ending in "/". */
  demoBase: string;
  local: LocalInputs;
  hubToken?: string;
}

export type DemoPart = { kind: 'model' } | { kind: 'tokenizer' } | { kind: 'adapter'; name: string } | { kind: 'pretrained'; layer: number } | { kind: 'dataset' };

/** Where each demo asset sits under public/demo (see public/demo/README.md). */
export function demoPath(part: DemoPart): string {
  switch (part.kind) {
    case 'model':
      return 'model/';
    case 'tokenizer':
      return 'tokenizer/';
    case 'adapter':
      return `adapters/${part.name}/`;
    case 'pretrained':
      return `sae/layer-${part.layer}/`;
    case 'dataset':
      return 'dataset/sample.txt';
  }
}

/**
 * The files of each demo folder (the layout tools/demo/make_demo.py writes and public/demo/assets.json
 * lists), so the demo reads exactly these and never asks the server whether some other file exists.
 */
export const DEMO_FILES: Record<Exclude<DemoPart['kind'], 'dataset'>, readonly string[]> = {
  model: ['config.json', 'model.safetensors'],
  tokenizer: ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'],
  adapter: ['adapter_config.json', 'adapter_model.safetensors'],
  pretrained: ['params.npz'],
};

/** A demo folder under `demoBase`, with its files listed. */
export function demoFolder(part: Exclude<DemoPart, { kind: 'dataset' }>, demoBase: string): ModelFiles {
  const base = new URL(demoPath(part), demoBase).href;
  return modelFilesFromMap(Object.fromEntries(DEMO_FILES[part.kind].map((n) => [n, { url: new URL(n, base).href }])), base);
}

export function hubUrl(s: Extract<Source, { kind: 'hub' }>): string {
  const sub = s.subfolder ? `${s.subfolder.replace(/^\/+|\/+$/g, '')}/` : '';
  return `https://huggingface.co/${s.repo}/resolve/${encodeURIComponent(s.revision)}/${sub}`;
}

function folder(source: Source, part: Exclude<DemoPart, { kind: 'dataset' }>, local: ModelFiles | undefined, loc: InputLocator, what: string): ModelFiles {
  switch (source.kind) {
    case 'demo':
      return demoFolder(part, loc.demoBase);
    case 'url':
      return modelFilesFromUrl(source.url, loc.hubToken);
    case 'hub':
      return modelFilesFromUrl(hubUrl(source), loc.hubToken);
    case 'local':
      if (!local) throw new InputError(source.path ?? what, `no files given for the ${what}: drop them in the setup (or pass the path to the CLI)`);
      return local;
  }
}

/**
 * A URL folder cannot be listed, so name the files an SAE of this format has; a URL that is itself an
 * .npz file stands for params.npz.
 */
function listed(files: ModelFiles, format: 'gemma-scope' | 'saelens'): ModelFiles {
  if (files.names().length > 0) return files;
  const label = files.label.replace(/\/+$/, '');
  if (format === 'gemma-scope' && label.endsWith('.npz')) return modelFilesFromMap({ 'params.npz': { url: label } }, label);
  const names = format === 'gemma-scope' ? ['params.npz'] : ['cfg.json', 'sae_weights.safetensors'];
  return modelFilesFromMap(Object.fromEntries(names.map((n) => [n, files.get(n)!])), files.label);
}

export interface ResolvedInputs {
  model: ModelFiles;
  /** The model's own folder when the config names no tokenizer. */
  tokenizer: ModelFiles;
  dataset: { name: string; source: ByteSource };
  adapters: { name: string; files: ModelFiles }[];
  pretrained: { layer: number; format: 'gemma-scope' | 'saelens'; files: ModelFiles }[];
}

/** Every input of a config, as files; throws InputError naming the first input that has none. */
export function resolveInputs(config: RunConfig, loc: InputLocator): ResolvedInputs {
  const model = folder(config.model, { kind: 'model' }, loc.local.model, loc, 'model');
  const tokenizer = config.tokenizer ? folder(config.tokenizer, { kind: 'tokenizer' }, loc.local.tokenizer, loc, 'tokenizer') : model;
  const ds = config.dataset.source;
  let dataset: ResolvedInputs['dataset'];
  if (ds.kind === 'sample' || ds.kind === 'demo') dataset = { name: 'sample.txt', source: { url: new URL(demoPath({ kind: 'dataset' }), loc.demoBase).href } };
  else if (ds.kind === 'url') dataset = { name: ds.url, source: { url: ds.url } };
  else if (ds.kind === 'hub') throw new InputError('dataset', 'a dataset from the Hub is not supported; give a URL or a file');
  else if (!loc.local.dataset) throw new InputError(ds.path ?? 'dataset', 'no dataset file given: drop one in the setup or use the built-in sample');
  else dataset = loc.local.dataset;
  return {
    model,
    tokenizer,
    dataset,
    adapters: config.adapters.map((a) => ({ name: a.name, files: folder(a.source, { kind: 'adapter', name: a.name }, loc.local.adapters.get(a.name), loc, `adapter ${a.name}`) })),
    pretrained: config.pretrained.map((p) => ({
      layer: p.layer,
      format: p.format,
      files: listed(folder(p.source, { kind: 'pretrained', layer: p.layer }, loc.local.pretrained.get(p.layer), loc, `pretrained SAE of layer ${p.layer}`), p.format),
    })),
  };
}
