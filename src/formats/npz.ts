import { unzipSync, zipSync } from 'fflate';
import { InputError } from '../errors/index.js';
import { type NpyArray, type NpyWritable, parseNpy, writeNpy } from './npy.js';

/**
 * Parses a .npz (a zip of .npy files, stored or deflated) into arrays keyed without ".npy".
 * Entries that are not .npy files are ignored.
 */
export function parseNpz(bytes: ArrayBuffer | Uint8Array, fileName: string): Map<string, NpyArray> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(u8, {
      filter: (f) => {
        if (f.compression !== 0 && f.compression !== 8) throw new Error(`entry ${f.name} uses unsupported compression method ${f.compression}`);
        return f.name.endsWith('.npy');
      },
    });
  } catch (e) {
    throw new InputError(fileName, `not a readable .npz zip (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(entries)) {
    out.set(name.slice(0, -'.npy'.length), parseNpy(data, `${fileName}/${name}`));
  }
  return out;
}

/** Like `np.savez` (stored entries), or `np.savez_compressed` with `compress: true`. */
export function writeNpz(arrays: Record<string, { data: NpyWritable; shape: number[] }>, opts: { compress?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  for (const [key, a] of Object.entries(arrays)) files[`${key}.npy`] = writeNpy(a.data, a.shape);
  return zipSync(files, { level: opts.compress ? 6 : 0 }) as Uint8Array<ArrayBuffer>;
}
