import { createStore, del, get, set } from 'idb-keyval';

/**
 * Folders and files dropped on the setup, kept as File System Access handles (which IndexedDB can hold),
 * so a reload can read them again after one permission prompt instead of asking for the drop again.
 * One entry per drop zone ("model", "tokenizer", "dataset", "sae-<layer>"); the adapters zone keeps every drop.
 */
export interface RememberedDrop {
  zone: string;
  handles: FileSystemHandle[];
}

const dropsDb = () => createStore('deltascope-drops', 'drops');
const KEY = 'drops';

export async function rememberedDrops(): Promise<RememberedDrop[]> {
  return ((await get(KEY, dropsDb()).catch(() => undefined)) as RememberedDrop[] | undefined) ?? [];
}

/** Records a drop; a zone that holds one input forgets what was dropped on it before. */
export async function rememberDrop(zone: string, handles: FileSystemHandle[]): Promise<void> {
  const kept = (await rememberedDrops()).filter((d) => zone === 'adapters' || d.zone !== zone);
  await set(KEY, handles.length > 0 ? [...kept, { zone, handles }] : kept, dropsDb());
}

export async function forgetDrops(): Promise<void> {
  await del(KEY, dropsDb());
}

/** Asks once per handle (the caller is a click): true when every handle may be read. */
export async function mayRead(drops: RememberedDrop[]): Promise<boolean> {
  const handles = drops.flatMap((d) => d.handles);
  const states = await Promise.all(
    handles.map(async (h) => {
      if (!h.queryPermission || !h.requestPermission) return 'granted';
      const now = await h.queryPermission({ mode: 'read' });
      return now === 'granted' ? now : h.requestPermission({ mode: 'read' });
    }),
  );
  return states.every((s) => s === 'granted');
}
