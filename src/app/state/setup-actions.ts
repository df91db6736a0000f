import { InputError } from '../../errors/index.js';
import {
  loadLoraAdapter,
  loadSaeFiles,
  modelFilesFromMap,
  parseGemma2Config,
  readJson,
  type Gemma2Config,
  type ModelFiles,
} from '../../formats/index.js';
import type { RunConfigInput } from '../../lab/index.js';
import { groupAdapters } from '../setup/adapter-groups.js';
import { describeLayers, describeRanks, summarizeAdapter } from '../setup/adapter-summary.js';
import { basename, dirname, filesUnder, type DroppedFile } from '../setup/dropped-files.js';
import type { AdapterEntry, AppState, PretrainedEntry } from './app-state.js';
import type { Store } from './store.js';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A folder of dropped files as ModelFiles, labelled with the folder's name. */
export function folderFiles(files: DroppedFile[], dir: string, label?: string): ModelFiles {
  const under = filesUnder(files, dir);
  return modelFilesFromMap(Object.fromEntries([...under].map(([k, f]) => [k, f.file])), label ?? (dir ? basename(dir) : 'dropped files'));
}

/** The folder of a drop that holds `name` (e.g. config.json), shallowest first. */
function folderHolding(files: DroppedFile[], name: string): string | null {
  const hits = files.filter((f) => basename(f.path) === name).map((f) => dirname(f.path));
  return hits.sort((a, b) => a.split('/').length - b.split('/').length)[0] ?? null;
}

export function updateDraft(store: Store<AppState>, update: (d: RunConfigInput) => RunConfigInput): void {
  store.set((s) => ({ draft: update(s.draft) }));
}

/** The base model's config when one is attached and parsed (adapters are validated against it). */
export async function baseConfig(store: Store<AppState>): Promise<Gemma2Config | undefined> {
  const known = store.get().modelConfig;
  if (known) return known;
  const files = store.get().attachments.model;
  const src = files?.get('config.json');
  if (!files || !src) return undefined;
  try {
    return parseGemma2Config(await readJson(src, `${files.label}/config.json`), `${files.label}/config.json`);
  } catch {
    return undefined;
  }
}

/** Attaches a model folder (config.json + safetensors) and shows what it is, or why it is not usable. */
export async function attachModel(store: Store<AppState>, files: ModelFiles, source: RunConfigInput['model']): Promise<void> {
  store.set((s) => ({ attachments: { ...s.attachments, model: files }, modelInfo: { status: 'checking', text: `reading ${files.label}/config.json…` } }));
  updateDraft(store, (d) => ({ ...d, model: source }));
  try {
    const src = files.get('config.json');
    if (!src) throw new InputError(`${files.label}/config.json`, 'missing file');
    const cfg = parseGemma2Config(await readJson(src, `${files.label}/config.json`), `${files.label}/config.json`);
    store.set({
      modelConfig: cfg,
      modelInfo: {
        status: 'ok',
        text: `Gemma-2 · ${cfg.numHiddenLayers} layers · hidden ${cfg.hiddenSize} · ${cfg.numAttentionHeads} heads (${cfg.numKeyValueHeads} kv) · vocab ${cfg.vocabSize}`,
      },
    });
    await revalidateAdapters(store);
  } catch (e) {
    store.set({ modelConfig: null, modelInfo: { status: 'error', text: message(e) } });
  }
}

export function attachModelDrop(store: Store<AppState>, files: DroppedFile[]): Promise<void> {
  const dir = folderHolding(files, 'config.json') ?? '';
  const mf = folderFiles(files, dir);
  if (files.some((f) => basename(f.path) === 'tokenizer.json' && dirname(f.path) === dir)) store.set((s) => ({ attachments: { ...s.attachments, tokenizer: mf } }));
  return attachModel(store, mf, { kind: 'local', path: dir || undefined });
}

async function checkAdapter(store: Store<AppState>, name: string, files: ModelFiles): Promise<void> {
  const set = (patch: Partial<AdapterEntry>) => store.set((s) => ({ adapters: s.adapters.map((a) => (a.name === name ? { ...a, ...patch } : a)) }));
  try {
    const config = files.get('adapter_config.json');
    const weights = files.get('adapter_model.safetensors');
    if (!config) throw new InputError(`${name}/adapter_config.json`, 'missing file');
    if (!weights) {
      const bin = files.get('adapter_model.bin');
      throw new InputError(`${name}/adapter_model.${bin ? 'bin' : 'safetensors'}`, bin ? 'unsupported: PyTorch pickle weights; save the adapter with safetensors' : 'missing file');
    }
    const adapter = await loadLoraAdapter({ config, weights, configName: `${name}/adapter_config.json`, weightsName: `${name}/adapter_model.safetensors` }, name, await baseConfig(store));
    const summary = summarizeAdapter(adapter);
    set({
      status: 'ok',
      summary,
      error: null,
      detail: `${describeRanks(adapter)} · targets ${summary.targets.join(', ')} · layers ${describeLayers(summary.layers)} · ${summary.modules} modules`,
    });
  } catch (e) {
    set({ status: 'error', summary: null, error: message(e), detail: '' });
  }
}

/**
 * Adds every adapter found in a drop (folders, or the two files of one adapter) and parses each. With
 * `only` (reopening remembered folders after a reload), just those adapters are attached, in their place.
 */
export async function addAdapterDrop(store: Store<AppState>, files: DroppedFile[], only?: ReadonlySet<string>): Promise<void> {
  const taken = store.get().adapters.map((a) => a.name);
  const groups = groupAdapters(files, taken, `adapter-${taken.length + 1}`).filter((g) => !only || only.has(g.name));
  if (groups.length === 0 && only) return;
  if (groups.length === 0) {
    store.set((s) => ({ view: { ...s.view, message: { kind: 'error', text: 'No adapter found in the drop: expected adapter_config.json and adapter_model.safetensors (or folders holding them).' } } }));
    return;
  }
  const added = groups.map((g) => {
    const entries: Record<string, File> = {};
    for (const f of [g.config, g.weights, g.pickle]) if (f) entries[basename(f.path)] = f.file;
    return { name: g.name, files: modelFilesFromMap(entries, g.name) };
  });
  store.set((s) => {
    const adapters = new Map(s.attachments.adapters);
    for (const a of added) adapters.set(a.name, a.files);
    return {
      attachments: { ...s.attachments, adapters },
      adapters: [...s.adapters, ...added.map((a): AdapterEntry => ({ name: a.name, status: 'checking', summary: null, detail: '', error: null }))],
    };
  });
  const known = new Set(store.get().draft.adapters.map((a) => a.name));
  updateDraft(store, (d) => ({ ...d, adapters: [...d.adapters, ...added.filter((a) => !known.has(a.name)).map((a) => ({ name: a.name, source: { kind: 'local' as const, path: a.name } }))] }));
  await Promise.all(added.map((a) => checkAdapter(store, a.name, a.files)));
}

/** A dropped tokenizer folder (the one holding tokenizer.json). */
export function attachTokenizerDrop(store: Store<AppState>, files: DroppedFile[]): void {
  const hit = files.find((x) => basename(x.path) === 'tokenizer.json');
  const dir = hit ? dirname(hit.path) : '';
  store.set((st) => ({ attachments: { ...st.attachments, tokenizer: folderFiles(files, dir) }, draft: { ...st.draft, tokenizer: { kind: 'local', path: dir || undefined } } }));
}

/** A dropped dataset file (the first of the drop). */
export function attachDatasetDrop(store: Store<AppState>, files: DroppedFile[]): void {
  const [first] = files;
  store.set((st) => ({ attachments: { ...st.attachments, dataset: first.file } }));
  updateDraft(store, (x) => ({ ...x, dataset: { ...x.dataset, source: { kind: 'local', path: first.path } } }));
}

export function addAdapterFolder(store: Store<AppState>, name: string, files: ModelFiles, source: RunConfigInput['adapters'][number]['source']): Promise<void> {
  store.set((s) => {
    const adapters = new Map(s.attachments.adapters);
    adapters.set(name, files);
    return {
      attachments: { ...s.attachments, adapters },
      adapters: [...s.adapters.filter((a) => a.name !== name), { name, status: 'checking', summary: null, detail: '', error: null }],
    };
  });
  updateDraft(store, (d) => ({ ...d, adapters: [...d.adapters.filter((a) => a.name !== name), { name, source }] }));
  return checkAdapter(store, name, files);
}

export function removeAdapter(store: Store<AppState>, name: string): void {
  store.set((s) => {
    const adapters = new Map(s.attachments.adapters);
    adapters.delete(name);
    return { attachments: { ...s.attachments, adapters }, adapters: s.adapters.filter((a) => a.name !== name) };
  });
  updateDraft(store, (d) => ({ ...d, adapters: d.adapters.filter((a) => a.name !== name) }));
}

/** Re-checks every attached adapter against the (new) base model. */
export async function revalidateAdapters(store: Store<AppState>): Promise<void> {
  const { attachments, adapters } = store.get();
  await Promise.all(adapters.map((a) => {
    const files = attachments.adapters.get(a.name);
    return files ? checkAdapter(store, a.name, files) : Promise.resolve();
  }));
}

/** Attaches a pretrained dictionary for one layer: Gemma Scope params.npz or a SAELens folder. */
export async function attachPretrained(store: Store<AppState>, layer: number, files: ModelFiles, source: RunConfigInput['model']): Promise<void> {
  const format: 'saelens' | 'gemma-scope' = files.get('cfg.json') ? 'saelens' : 'gemma-scope';
  const set = (patch: Partial<PretrainedEntry>) =>
    store.set((s) => ({ pretrained: [...s.pretrained.filter((p) => p.layer !== layer), { layer, label: files.label, status: 'checking', detail: '', error: null, ...s.pretrained.find((p) => p.layer === layer), ...patch }] }));
  store.set((s) => {
    const pretrained = new Map(s.attachments.pretrained);
    pretrained.set(layer, files);
    return { attachments: { ...s.attachments, pretrained } };
  });
  set({ label: files.label, status: 'checking', detail: '', error: null });
  updateDraft(store, (d) => ({ ...d, pretrained: [...(d.pretrained ?? []).filter((p) => p.layer !== layer), { layer, format, source }].sort((a, b) => a.layer - b.layer) }));
  try {
    const cfg = await baseConfig(store);
    const sae = await loadSaeFiles(files, cfg ? { expectedDIn: cfg.hiddenSize } : {});
    set({ status: 'ok', detail: `${sae.architecture} · d_in ${sae.dIn} · width ${sae.dSae}`, error: null });
  } catch (e) {
    set({ status: 'error', error: message(e), detail: '' });
  }
}

export function attachPretrainedDrop(store: Store<AppState>, layer: number, files: DroppedFile[]): Promise<void> {
  const npz = files.find((f) => f.path.endsWith('.npz'));
  if (npz) return attachPretrained(store, layer, modelFilesFromMap({ 'params.npz': npz.file }, npz.path), { kind: 'local', path: npz.path });
  const dir = folderHolding(files, 'cfg.json') ?? '';
  return attachPretrained(store, layer, folderFiles(files, dir), { kind: 'local', path: dir || undefined });
}
