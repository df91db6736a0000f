/**
 * Files the user dropped or picked, each with its path relative to what was dropped ("r4/adapter_config.json").
 * Folders are walked (drag and drop) or flattened by the browser (webkitdirectory inputs).
 */
export interface DroppedFile {
  path: string;
  file: File;
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns at most 100 entries per call; keep asking until it returns none.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, path, out);
  }
}

export async function filesFromDataTransfer(dt: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...dt.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry() : null)).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return [...dt.files].map((file) => ({ path: file.name, file }));
  const out: DroppedFile[] = [];
  for (const e of entries) await walk(e, '', out);
  return out;
}

/**
 * File System Access handles of a drop, so the same folders can be read again after a reload. Call it
 * synchronously inside the drop event (the DataTransfer empties afterwards); browsers without
 * getAsFileSystemHandle give none.
 */
export function handlesFromDataTransfer(dt: DataTransfer): Promise<FileSystemHandle[]> {
  const pending = [...dt.items].map((i) => (i.kind === 'file' && i.getAsFileSystemHandle ? i.getAsFileSystemHandle().catch(() => null) : null));
  return Promise.all(pending).then((hs) => hs.filter((h): h is FileSystemHandle => h !== null));
}

async function walkHandle(handle: FileSystemHandle, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${handle.name}` : handle.name;
  if (handle.kind === 'file') out.push({ path, file: await (handle as FileSystemFileHandle).getFile() });
  else for await (const child of (handle as FileSystemDirectoryHandle).values()) await walkHandle(child, path, out);
}

/** The files under remembered handles, with the same paths a drop of them gives. */
export async function filesFromHandles(handles: FileSystemHandle[]): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  for (const h of handles) await walkHandle(h, '', out);
  return out;
}

export function filesFromInput(list: FileList | null): DroppedFile[] {
  return [...(list ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The files of one folder keyed by name relative to it (subfolders kept as "sub/name"). */
export function filesUnder<T extends { path: string }>(files: T[], dir: string): Map<string, T> {
  const prefix = dir ? `${dir}/` : '';
  return new Map(files.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length), f]));
}
