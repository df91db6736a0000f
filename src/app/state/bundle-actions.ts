import { readBundle, writeBundle, type Bundle, type BundleContents } from '../../formats/index.js';
import { bundleContents, parseRunConfig, type ExperimentOutput } from '../../lab/index.js';
import { renderFigures } from '../figures.js';
import { download } from '../charts/export-figure.js';
import type { AppState } from './app-state.js';
import type { Store } from './store.js';

/** What the next export writes: the finished live run, or the bundle being viewed. */
export interface ExportSource {
  live: ExperimentOutput | null;
  imported: Bundle | null;
}

export const exportSource: ExportSource = { live: null, imported: null };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Opens a bundle: validated in full before anything in the view changes; nothing in it is executed. */
export async function importBundle(store: Store<AppState>, file: File): Promise<boolean> {
  store.set((s) => ({ view: { ...s.view, message: { kind: 'info', text: `Opening ${file.name}…` } } }));
  return showBundle(store, new Uint8Array(await file.arrayBuffer()), file.name, { message: `Opened ${file.name}: results restored without a GPU.`, unlessLive: false });
}

/** Where the demo's finished result bundle ships, under the demo assets (tools/demo/make-bundle.mjs writes it). */
export const DEMO_BUNDLE = 'bundle.zip';

/**
 * Shows the demo's shipped result bundle through the same path as an opened bundle, unless a run has started
 * meanwhile. A missing bundle (or a server answering with its HTML fallback page) leaves the page as it was.
 */
export async function openDemoBundle(store: Store<AppState>, demoBase: string): Promise<boolean> {
  const url = new URL(DEMO_BUNDLE, demoBase).href;
  const res = await fetch(url).catch(() => null);
  if (!res?.ok || /html/i.test(res.headers.get('content-type') ?? '')) return false;
  return showBundle(store, new Uint8Array(await res.arrayBuffer()), url, { message: null, unlessLive: true });
}

/** `unlessLive`: a run started while the bundle loaded keeps the panels (its results are newer). */
async function showBundle(store: Store<AppState>, bytes: Uint8Array, name: string, opts: { message: string | null; unlessLive: boolean }): Promise<boolean> {
  try {
    const bundle = await readBundle(bytes, name);
    if (opts.unlessLive && store.get().view.source === 'live') return false;
    exportSource.imported = bundle;
    exportSource.live = null;
    store.set({
      metrics: bundle.metrics,
      view: { source: 'bundle', bundleName: name.split('/').pop() ?? name, manifest: bundle.manifest, message: opts.message === null ? null : { kind: 'info', text: opts.message } },
    });
    return true;
  } catch (e) {
    store.set((s) => ({ view: { ...s.view, message: { kind: 'error', text: message(e) } } }));
    return false;
  }
}

/** An opened bundle re-exported: its figures are drawn again from its metrics, never copied through (an SVG can carry script). */
function contentsFromBundle(b: Bundle): BundleContents {
  const { format: _f, version: _v, entries: _e, ...manifest } = b.manifest;
  return { manifest, metrics: b.metrics, saes: b.saes, figures: renderFigures(b.metrics) };
}

/** Writes the bundle of what is on screen and downloads it; a failure is shown, not thrown. */
export async function exportBundle(store: Store<AppState>): Promise<Uint8Array | null> {
  try {
    return await writeAndDownload(store);
  } catch (e) {
    store.set((s) => ({ view: { ...s.view, message: { kind: 'error', text: `Export failed: ${message(e)}` } } }));
    return null;
  }
}

async function writeAndDownload(store: Store<AppState>): Promise<Uint8Array | null> {
  const s = store.get();
  let contents: BundleContents;
  if (exportSource.live) {
    const config = parseRunConfig(s.draft, 'run config');
    contents = bundleContents(exportSource.live, config, renderFigures(exportSource.live.metrics));
  } else if (exportSource.imported) {
    contents = contentsFromBundle(exportSource.imported);
  } else {
    return null;
  }
  const zip = await writeBundle(contents);
  const name = `deltascope-${(s.draft.name ?? 'run').replace(/[^\w.-]/g, '_')}-${contents.manifest.createdAt.slice(0, 19).replace(/[:T]/g, '-')}.zip`;
  download(name, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  return zip;
}
