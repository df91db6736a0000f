import { zipSync } from 'fflate';
import { InputError } from '../errors/index.js';
import { type ZipEntryInfo, type ZipLimits, extractZipEntry, extractZipPrefix, readZipDirectory } from './bundle-zip.js';
import { MAX_NPY_HEADER_BYTES, type NpyArray, type NpyHeader, type NpyWritable, parseNpy, readNpyHeader, writeNpy } from './npy.js';

/**
 * .npz files are zips from anywhere: the directory is checked and capped first, then each .npy entry's header is
 * read by inflating only its first bytes, and its shape must account for the entry's declared size exactly;
 * only then, and only for the arrays asked for, is data inflated (capped at the declared size, CRC-32 checked).
 */
export const NPZ_LIMITS: ZipLimits = {
  maxZipBytes: 2 * 1024 ** 3,
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntryBytes: 768 * 1024 ** 2,
  maxEntries: 1000,
  kind: '.npz',
};

export interface NpzEntry extends NpyHeader {
  entry: ZipEntryInfo;
}

/** Every .npy entry's header, keyed without ".npy"; no array data is inflated. Other entries are ignored, as numpy's np.load does. */
export function readNpzHeaders(bytes: Uint8Array, fileName: string, limits: ZipLimits = NPZ_LIMITS): Map<string, NpzEntry> {
  const out = new Map<string, NpzEntry>();
  for (const entry of readZipDirectory(bytes, fileName, limits)) {
    if (!entry.name.endsWith('.npy')) continue;
    const inner = `${fileName}/${entry.name}`;
    const prefix = extractZipPrefix(bytes, entry, fileName, MAX_NPY_HEADER_BYTES + 12, 'npz');
    const header = readNpyHeader(prefix, inner);
    if (header.dataStart + header.dataBytes !== entry.bytes) {
      throw new InputError(inner, `.npy data is ${entry.bytes - header.dataStart} bytes, shape [${header.shape.join(', ')}] of ${header.dtype} needs ${header.dataBytes}`);
    }
    out.set(entry.name.slice(0, -'.npy'.length), { ...header, entry });
  }
  if (out.size === 0) throw new InputError(fileName, 'holds no .npy arrays');
  return out;
}

/** The arrays of a .npz keyed without ".npy" (all of them, or only `keys`); each is inflated only after every header checked out. */
export function parseNpz(bytes: ArrayBuffer | Uint8Array, fileName: string, keys?: readonly string[]): Map<string, NpyArray> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const headers = readNpzHeaders(u8, fileName);
  const out = new Map<string, NpyArray>();
  for (const [key, h] of headers) {
    if (keys && !keys.includes(key)) continue;
    out.set(key, parseNpy(extractZipEntry(u8, h.entry, fileName, 'npz'), `${fileName}/${h.entry.name}`));
  }
  return out;
}

/** Like `np.savez` (stored entries), or `np.savez_compressed` with `compress: true`. */
export function writeNpz(arrays: Record<string, { data: NpyWritable; shape: number[] }>, opts: { compress?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  for (const [key, a] of Object.entries(arrays)) files[`${key}.npy`] = writeNpy(a.data, a.shape);
  return zipSync(files, { level: opts.compress ? 6 : 0 }) as Uint8Array<ArrayBuffer>;
}
