import type { RunConfigInput } from '../../lab/index.js';
import { filesFromHandles, type DroppedFile } from '../setup/dropped-files.js';
import type { AppState } from './app-state.js';
import { mayRead, rememberedDrops, type RememberedDrop } from './remembered-drops.js';
import { addAdapterDrop, attachDatasetDrop, attachModelDrop, attachPretrainedDrop, attachTokenizerDrop } from './setup-actions.js';
import type { Store } from './store.js';

type Source = RunConfigInput['model'];

const named = (s: Source | null | undefined, what: string): string => `${what}${s?.kind === 'local' && s.path ? ` "${s.path}"` : ''}`;
const isLocal = (s: Source | null | undefined): boolean => s?.kind === 'local';

/** The dropped inputs the config needs that this page does not hold (as after a reload), named as the user dropped them. */
export function missingInputs(s: Pick<AppState, 'draft' | 'attachments'>): string[] {
  const { draft: d, attachments: a } = s;
  const out: string[] = [];
  if (isLocal(d.model) && !a.model) out.push(named(d.model, 'the model folder'));
  if (isLocal(d.tokenizer) && !a.tokenizer) out.push(named(d.tokenizer, 'the tokenizer folder'));
  if (d.dataset.source.kind === 'local' && !a.dataset) out.push(named(d.dataset.source, 'the dataset file'));
  for (const x of d.adapters) if (isLocal(x.source) && !a.adapters.has(x.name)) out.push(`the adapter folder "${x.name}"`);
  for (const p of d.pretrained ?? []) if (isLocal(p.source) && !a.pretrained.has(p.layer)) out.push(named(p.source, `the layer-${p.layer} dictionary`));
  return out;
}

/** Attaches a remembered drop again, if the input it was dropped for is still missing. */
async function replay(store: Store<AppState>, drop: RememberedDrop, files: DroppedFile[]): Promise<void> {
  const { draft: d, attachments: a } = store.get();
  const layer = /^sae-(\d+)$/.exec(drop.zone);
  if (drop.zone === 'model' && isLocal(d.model) && !a.model) await attachModelDrop(store, files);
  else if (drop.zone === 'tokenizer' && isLocal(d.tokenizer) && !a.tokenizer) attachTokenizerDrop(store, files);
  else if (drop.zone === 'dataset' && d.dataset.source.kind === 'local' && !a.dataset) attachDatasetDrop(store, files);
  else if (drop.zone === 'adapters') {
    const wanted = new Set(d.adapters.filter((x) => isLocal(x.source) && !a.adapters.has(x.name)).map((x) => x.name));
    if (wanted.size > 0) await addAdapterDrop(store, files, wanted);
  } else if (layer && (d.pretrained ?? []).some((p) => p.layer === Number(layer[1]) && isLocal(p.source)) && !a.pretrained.has(Number(layer[1]))) {
    await attachPretrainedDrop(store, Number(layer[1]), files);
  }
}

/**
 * Before a run starts: reads the folders this browser remembered for the inputs it lacks, asking for
 * read permission once (call it from a click). Returns what is still missing and must be dropped again.
 */
export async function reopenDroppedInputs(store: Store<AppState>): Promise<string[]> {
  if (missingInputs(store.get()).length === 0) return [];
  const drops = await rememberedDrops();
  if (drops.length > 0 && (await mayRead(drops))) {
    for (const drop of drops) {
      // A folder moved or deleted since the drop cannot be read; it is reported as missing below.
      const files = await filesFromHandles(drop.handles).catch(() => []);
      if (files.length > 0) await replay(store, drop, files);
    }
  }
  return missingInputs(store.get());
}
