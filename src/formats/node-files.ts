// Node-only: local directories as ModelFiles. Not exported from index.ts (the app bundle must stay browser-safe).
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { ModelFiles } from './model-files.js';

/** The files directly inside `dir`, as lazily read Blobs (nothing is loaded until a byte range is asked for). */
export async function modelFilesFromDir(dir: string): Promise<ModelFiles> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (e) {
    throw new InputError(dir, `cannot read directory (${e instanceof Error ? e.message : String(e)})`);
  }
  const blobs = new Map<string, Blob>();
  for (const n of names) blobs.set(n, await openAsBlob(path.join(dir, n)));
  return { get: (n) => blobs.get(n), names: () => [...blobs.keys()], label: dir };
}

/** One local file as a Blob, with a clear error when it is missing. */
export async function localFile(file: string): Promise<Blob> {
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a regular file');
    return await openAsBlob(file);
  } catch (e) {
    throw new InputError(file, `cannot open (${e instanceof Error ? e.message : String(e)})`);
  }
}
