import { InputError } from '../errors/index.js';
import { type ByteSource, isUrlSource, readText, type UrlSource } from './byte-source.js';
import { fetchFile } from './http-file.js';

/** A folder of files by relative name: a dropped folder, a local directory (Node) or a base URL. */
export interface ModelFiles {
  get(name: string): ByteSource | undefined;
  /** Known file names; empty for a base URL, where names are only found by asking. */
  names(): string[];
  /** Shown in messages: folder name or base URL (never a token). */
  label: string;
  /** Set for a base-URL folder: where its names resolve (and the token they are read with). */
  remote?: UrlSource;
}

/** A ModelFiles as plain data, so it survives structured cloning (a worker's postMessage, IndexedDB). */
export type ModelFilesData = { label: string; files: Record<string, ByteSource> } | { label: string; remote: UrlSource };

export function modelFilesToData(files: ModelFiles): ModelFilesData {
  if (files.remote) return { label: files.label, remote: files.remote };
  return { label: files.label, files: Object.fromEntries(files.names().map((n) => [n, files.get(n)!])) };
}

export function modelFilesFromData(data: ModelFilesData): ModelFiles {
  return 'remote' in data ? modelFilesFromUrl(data.remote.url, data.remote.token) : modelFilesFromMap(data.files, data.label);
}

export function modelFilesFromMap(entries: Record<string, ByteSource>, label: string): ModelFiles {
  const map = new Map(Object.entries(entries));
  return { get: (n) => map.get(n), names: () => [...map.keys()], label };
}

/** A dropped folder (`webkitRelativePath` = "folder/sub/file") or loose files (by name). */
export function modelFilesFromFileList(files: ArrayLike<File>): ModelFiles {
  const map = new Map<string, File>();
  let root = '';
  for (const f of Array.from(files)) {
    const rel = f.webkitRelativePath;
    if (rel) {
      const slash = rel.indexOf('/');
      root ||= slash > 0 ? rel.slice(0, slash) : '';
      map.set(slash > 0 ? rel.slice(slash + 1) : rel, f);
    } else {
      map.set(f.name, f);
    }
  }
  return { get: (n) => map.get(n), names: () => [...map.keys()], label: root || 'dropped files' };
}

/** Every name under a base URL (e.g. https://huggingface.co/google/gemma-2-2b/resolve/main/). */
export function modelFilesFromUrl(baseUrl: string, token?: string): ModelFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    get: (n) => ({ url: new URL(n, base).href, ...(token ? { token } : {}) }),
    names: () => [],
    label: base,
    remote: { url: base, ...(token ? { token } : {}) },
  };
}

/** `label/name`, the name used in error messages for a file of this folder. */
export function fileLabel(files: ModelFiles, name: string): string {
  return files.label.endsWith('/') ? `${files.label}${name}` : `${files.label}/${name}`;
}

/** Whether a name exists; for URL folders this asks the server (1-byte Range request; an HTML answer means absent). */
export async function hasFile(files: ModelFiles, name: string): Promise<boolean> {
  const src = files.get(name);
  if (src === undefined) return false;
  if (!isUrlSource(src)) return true;
  const got = await fetchFile(src.url, fileLabel(files, name), { range: 'bytes=0-0', ...(src.token ? { token: src.token } : {}) });
  if ('found' in got) await got.found.body?.cancel();
  return 'found' in got;
}

/** Text of a file that must exist, or an InputError naming it. */
export async function requireText(files: ModelFiles, name: string): Promise<string> {
  const src = files.get(name);
  if (src === undefined) throw new InputError(fileLabel(files, name), 'missing file');
  return readText(src, fileLabel(files, name));
}
