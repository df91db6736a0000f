// Node-only: local files and directories as byte readers. Not exported from index.ts (the app bundle must stay browser-safe).
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.js';
import type { ByteReader } from './byte-source.js';
import type { ModelFiles } from './model-files.js';

/**
 * Random access to a local file by positional reads. Not a Blob: Node 20's fs.openAsBlob reports sizes
 * modulo 2³², so shards over 4 GiB (Gemma-2 ships 4.9 GB ones) looked truncated. Offsets are plain numbers,
 * exact up to 2⁵³. Each read opens and closes the file, so no descriptor outlives the call.
 */
export class LocalFileReader implements ByteReader {
  private constructor(
    readonly file: string,
    readonly size: number,
  ) {}

  static async open(file: string): Promise<LocalFileReader> {
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a regular file');
      return new LocalFileReader(file, s.size);
    } catch (e) {
      throw new InputError(file, `cannot open (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  async read(begin: number, end: number): Promise<Uint8Array<ArrayBuffer>> {
    if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && 0 <= begin && begin <= end && end <= this.size)) {
      throw new RangeError(`${this.file}: bytes ${begin}-${end} are outside its ${this.size} bytes`);
    }
    const out = new Uint8Array(end - begin);
    const fh = await open(this.file, 'r');
    try {
      for (let done = 0; done < out.length; ) {
        const { bytesRead } = await fh.read(out, done, out.length - done, begin + done);
        if (bytesRead === 0) throw new InputError(this.file, `file ended at byte ${begin + done}, expected ${this.size} bytes (changed while reading?)`);
        done += bytesRead;
      }
    } finally {
      await fh.close();
    }
    return out;
  }
}

/** The files directly inside `dir`, read lazily by byte range (nothing is loaded until a range is asked for). */
export async function modelFilesFromDir(dir: string): Promise<ModelFiles> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (e) {
    throw new InputError(dir, `cannot read directory (${e instanceof Error ? e.message : String(e)})`);
  }
  const readers = new Map<string, ByteReader>();
  for (const n of names) readers.set(n, await LocalFileReader.open(path.join(dir, n)));
  return { get: (n) => readers.get(n), names: () => [...readers.keys()], label: dir };
}

/** One local file as a byte reader, with a clear error when it is missing. */
export function localFile(file: string): Promise<ByteReader> {
  return LocalFileReader.open(file);
}
