import { InputError } from '../../errors/index.js';
import { fetchFile, readJson } from '../../formats/index.js';
import { demoFolder, demoRunConfig, parseRunConfig, resolveInputs, type RunConfig } from '../../lab/index.js';
import { emptyRun, type AppState } from './app-state.js';
import { addAdapterFolder, attachModel, attachPretrained } from './setup-actions.js';
import type { Store } from './store.js';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Absolute URL of the demo assets (public/demo), under the app's base path. */
export function demoBase(): string {
  return new URL(`${import.meta.env.BASE_URL}demo/`, location.href).href;
}

/**
 * Replaces the setup with a config: every remote or demo input is checked right away; `local` inputs are
 * listed as waiting for their files.
 */
export async function applyConfig(store: Store<AppState>, config: RunConfig): Promise<void> {
  store.set({
    draft: config,
    attachments: { model: null, tokenizer: null, dataset: null, adapters: new Map(), pretrained: new Map() },
    modelInfo: { status: 'none', text: '' },
    modelConfig: null,
    adapters: [],
    pretrained: [],
    run: emptyRun(),
  });
  const loc = { demoBase: demoBase(), local: { adapters: new Map(), pretrained: new Map() }, hubToken: store.get().hubToken || undefined };
  const remote = (k: string) => k !== 'local';
  if (remote(config.model.kind)) {
    const files = config.model.kind === 'demo' ? demoFolder({ kind: 'model' }, loc.demoBase) : resolveInputs({ ...config, adapters: [], pretrained: [], dataset: { ...config.dataset, source: { kind: 'sample' } } }, loc).model;
    await attachModel(store, files, config.model);
  } else {
    store.set({ modelInfo: { status: 'error', text: 'Drop the model folder named in the config.' } });
  }
  await Promise.all(
    config.adapters.map(async (a) => {
      if (!remote(a.source.kind)) {
        store.set((s) => ({ adapters: [...s.adapters, { name: a.name, status: 'error', summary: null, detail: '', error: `${a.name}: drop this adapter's folder (the config names it, the files are not here)` }] }));
        return;
      }
      const only = resolveInputs({ ...config, adapters: [a], pretrained: [], model: { kind: 'demo' }, dataset: { ...config.dataset, source: { kind: 'sample' } } }, loc);
      await addAdapterFolder(store, a.name, only.adapters[0].files, a.source);
    }),
  );
  await Promise.all(
    config.pretrained.filter((p) => remote(p.source.kind)).map(async (p) => {
      const only = resolveInputs({ ...config, adapters: [], pretrained: [p], model: { kind: 'demo' }, dataset: { ...config.dataset, source: { kind: 'sample' } } }, loc);
      await attachPretrained(store, p.layer, only.pretrained[0].files, p.source);
    }),
  );
  store.set({ draft: config });
}

export async function importConfigFile(store: Store<AppState>, file: File): Promise<void> {
  try {
    await applyConfig(store, parseRunConfig(await file.text(), file.name));
    store.set((s) => ({ view: { ...s.view, message: { kind: 'info', text: `Loaded run config ${file.name}.` } } }));
  } catch (e) {
    store.set((s) => ({ view: { ...s.view, message: { kind: 'error', text: message(e) } } }));
  }
}

/** Fetches public/demo/demo.json and fills the setup with the demo. */
export async function loadDemo(store: Store<AppState>): Promise<boolean> {
  store.set({ demo: { available: false, loading: true, error: null } });
  try {
    const url = new URL('demo.json', demoBase()).href;
    const got = await fetchFile(url, url);
    if ('absent' in got) throw new InputError(url, `${got.absent} (the demo assets are not built; see tools/demo)`);
    await applyConfig(store, demoRunConfig(await readJson(new Uint8Array(await got.found.arrayBuffer()), url), url));
    store.set({ demo: { available: true, loading: false, error: null } });
    return true;
  } catch (e) {
    store.set({ demo: { available: false, loading: false, error: message(e) } });
    return false;
  }
}
