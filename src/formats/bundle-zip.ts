import { inflateSync } from 'fflate';
import { InputError } from '../errors/index.js';

/**
 * A zip reader that distrusts its input: the central directory is read and every entry checked (name, method,
 * sizes against caps) before a single byte is inflated; each inflated entry is then checked against the
 * size and CRC-32 the directory declared. Used for result bundles, which a user may have been sent by anyone.
 */

export interface ZipLimits {
  /** Largest zip file accepted, bytes. */
  maxZipBytes: number;
  /** Largest sum of declared uncompressed sizes, bytes. */
  maxTotalBytes: number;
  /** Largest declared uncompressed size of one entry, bytes. */
  maxEntryBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxZipBytes: 1024 * 1024 * 1024,
  maxTotalBytes: 1536 * 1024 * 1024,
  maxEntryBytes: 768 * 1024 * 1024,
  maxEntries: 10_000,
};

export interface ZipEntryInfo {
  name: string;
  method: number;
  crc32: number;
  compressedBytes: number;
  bytes: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const MiB = 1024 * 1024;

function mib(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}

/** Why an entry name is unsafe to use as a path, or null when it is fine. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0) return 'empty entry name';
  if (name.includes('\\')) return `entry name "${name}" contains a backslash`;
  if (name.startsWith('/')) return `entry name "${name}" is an absolute path`;
  if (/^[a-zA-Z]:/.test(name)) return `entry name "${name}" starts with a drive letter`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return `entry name contains a control character`;
  if (name.split('/').some((seg) => seg === '..')) return `entry name "${name}" climbs out of the bundle (..)`;
  return null;
}

/** Reads and checks the central directory; throws InputError before anything is inflated. */
export function readZipDirectory(bytes: Uint8Array, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  if (bytes.length > limits.maxZipBytes) {
    throw new InputError(fileName, `bundle is ${mib(bytes.length)}, more than the ${mib(limits.maxZipBytes)} limit`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = (why: string) => new InputError(fileName, `not a valid zip file (${why}); is it a deltascope bundle?`);
  if (bytes.length < 22) throw notZip('too short');
  let eocd = -1;
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip('no end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    throw new InputError(fileName, 'zip64 archives are not accepted (bundles are limited to 4 GiB)');
  }
  if (count > limits.maxEntries) throw new InputError(fileName, `bundle has ${count} entries, more than the ${limits.maxEntries} limit`);
  if (cdOffset + cdSize > eocd) throw notZip('central directory extends past its end record');

  const entries: ZipEntryInfo[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CDH_SIG) throw notZip(`central directory entry ${i} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    const compressedBytes = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localHeaderOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen > eocd) throw notZip(`central directory entry ${i} is damaged`);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    } catch {
      throw new InputError(fileName, `entry ${i} has a name that is not UTF-8`);
    }
    const unsafe = unsafeEntryName(name);
    if (unsafe) throw new InputError(fileName, `refused: ${unsafe}`);
    if (seen.has(name)) throw new InputError(fileName, `refused: entry "${name}" appears twice`);
    seen.add(name);
    if (flags & 1) throw new InputError(fileName, `entry "${name}" is encrypted`);
    if (method !== 0 && method !== 8) throw new InputError(fileName, `entry "${name}" uses compression method ${method} (only stored and deflate are accepted)`);
    if (size > limits.maxEntryBytes) {
      throw new InputError(fileName, `entry "${name}" is ${mib(size)} uncompressed, more than the ${mib(limits.maxEntryBytes)} per-entry limit`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new InputError(fileName, `bundle expands to more than the ${mib(limits.maxTotalBytes)} limit`);
    }
    if (localHeaderOffset + 30 + compressedBytes > cdOffset) throw notZip(`entry "${name}" extends past the central directory`);
    if (method === 0 && compressedBytes !== size) throw notZip(`stored entry "${name}" has mismatched sizes`);
    entries.push({ name, method, crc32, compressedBytes, bytes: size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Inflates one checked entry; the output buffer is exactly the declared size, so it cannot grow. */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntryInfo, fileName: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = entry.localHeaderOffset;
  const corrupt = (why: string) => new InputError(fileName, `corrupt bundle: entry "${entry.name}" ${why}`);
  if (view.getUint32(o, true) !== LFH_SIG) throw corrupt('has no local header');
  const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
  const end = start + entry.compressedBytes;
  if (end > bytes.length) throw corrupt('is truncated');
  const raw = bytes.subarray(start, end);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = raw.slice();
  } else {
    try {
      out = inflateSync(raw, { out: new Uint8Array(entry.bytes) });
    } catch (e) {
      throw corrupt(`does not inflate (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (out.length !== entry.bytes) throw corrupt(`inflates to ${out.length} bytes, not the declared ${entry.bytes}`);
  if (crc32(out) !== entry.crc32) throw corrupt('fails its CRC-32 check');
  return out;
}
