import { Inflate } from 'fflate';
import { InputError } from '../errors/index.js';

/**
 * A zip reader that distrusts its input: the central directory is read and every entry checked (name, method,
 * sizes against caps) before a single byte is inflated; each inflated entry is then checked against the
 * size and CRC-32 the directory declared, while inflating (an entry that inflates past its declared size is stopped
 * there). Used for result bundles and .npz files, which a user may have been sent by anyone.
 */

export interface ZipLimits {
  /** Largest zip file accepted, bytes. */
  maxZipBytes: number;
  /** Largest sum of declared uncompressed sizes, bytes. */
  maxTotalBytes: number;
  /** Largest declared uncompressed size of one entry, bytes. */
  maxEntryBytes: number;
  maxEntries: number;
  /** What the zip should be, for messages ("deltascope bundle", ".npz"). */
  kind?: string;
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
    throw new InputError(fileName, `file is ${mib(bytes.length)}, more than the ${mib(limits.maxZipBytes)} limit`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = (why: string) =>
    new InputError(fileName, limits.kind ? `not a readable ${limits.kind} zip (${why})` : `not a valid zip file (${why}); is it a deltascope bundle?`);
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
    throw new InputError(fileName, 'zip64 archives are not accepted (zip files are limited to 4 GiB)');
  }
  if (count > limits.maxEntries) throw new InputError(fileName, `zip has ${count} entries, more than the ${limits.maxEntries} limit`);
  if (cdOffset + cdSize > eocd) throw notZip('central directory extends past its end record');
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0 || view.getUint16(eocd + 8, true) !== count) {
    throw notZip('multi-disk archives are not accepted');
  }

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
      throw new InputError(fileName, `zip expands to more than the ${mib(limits.maxTotalBytes)} limit`);
    }
    if (localHeaderOffset + 30 + compressedBytes > cdOffset) throw notZip(`entry "${name}" extends past the central directory`);
    if (method === 0 && compressedBytes !== size) throw notZip(`stored entry "${name}" has mismatched sizes`);
    entries.push({ name, method, crc32, compressedBytes, bytes: size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (p !== cdOffset + cdSize) throw notZip('central directory size does not match its entries');
  checkNoSharedData(entries, notZip);
  return entries;
}

/** Entries whose data overlap (one deflate stream counted many times) are the classic overlapping zip bomb. */
function checkNoSharedData(entries: ZipEntryInfo[], notZip: (why: string) => InputError): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].localHeaderOffset < prev.localHeaderOffset + 30 + prev.compressedBytes) {
      throw notZip(`entries "${prev.name}" and "${sorted[i].name}" overlap`);
    }
  }
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

/** Compressed input is fed in slices this small, so one step can produce at most ~16 MiB (deflate's 1032:1). */
const INFLATE_STEP = 16 * 1024;

function entryData(bytes: Uint8Array, entry: ZipEntryInfo, corrupt: (why: string) => InputError): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = entry.localHeaderOffset;
  if (o + 30 > bytes.length || view.getUint32(o, true) !== LFH_SIG) throw corrupt('has no local header');
  const nameLen = view.getUint16(o + 26, true);
  const start = o + 30 + nameLen + view.getUint16(o + 28, true);
  if (view.getUint16(o + 8, true) !== entry.method) throw corrupt('has a different compression method in its local header');
  const localName = bytes.subarray(o + 30, o + 30 + nameLen);
  if (new TextDecoder('utf-8', { fatal: false }).decode(localName) !== entry.name) throw corrupt('has a different name in its local header');
  const end = start + entry.compressedBytes;
  if (end > bytes.length) throw corrupt('is truncated');
  return bytes.subarray(start, end);
}

/**
 * Inflates at most `want` bytes of an entry into a buffer of that size, feeding the compressed data in small
 * steps and stopping as soon as `want` bytes are out, so neither time nor memory depends on what the data claims.
 * Returns how many bytes came out (up to want + 1: one more than want means the entry holds more).
 */
function inflateInto(raw: Uint8Array, out: Uint8Array, corrupt: (why: string) => InputError): number {
  let filled = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    const room = out.length - filled;
    if (chunk.length > room) over = true;
    out.set(chunk.subarray(0, Math.min(room, chunk.length)), filled);
    filled += Math.min(room, chunk.length);
  });
  try {
    for (let at = 0; at < raw.length && !over; at += INFLATE_STEP) {
      const end = Math.min(raw.length, at + INFLATE_STEP);
      inflater.push(raw.subarray(at, end), end === raw.length);
    }
  } catch (e) {
    throw corrupt(`does not inflate (${e instanceof Error ? e.message : String(e)})`);
  }
  return over ? out.length + 1 : filled;
}

/** Inflates one checked entry; output beyond the declared size is never kept, and size and CRC-32 must match. */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntryInfo, fileName: string, what = 'bundle'): Uint8Array {
  const corrupt = (why: string) => new InputError(fileName, `corrupt ${what}: entry "${entry.name}" ${why}`);
  const raw = entryData(bytes, entry, corrupt);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = raw.slice();
  } else {
    out = new Uint8Array(entry.bytes);
    const n = inflateInto(raw, out, corrupt);
    if (n > entry.bytes) throw corrupt(`inflates to more than the declared ${entry.bytes} bytes`);
    if (n !== entry.bytes) throw corrupt(`inflates to ${n} bytes, not the declared ${entry.bytes}`);
  }
  if (crc32(out) !== entry.crc32) throw corrupt('fails its CRC-32 check');
  return out;
}

/** The first `n` bytes of an entry (fewer when it is shorter), inflating no more than that: for reading headers first. */
export function extractZipPrefix(bytes: Uint8Array, entry: ZipEntryInfo, fileName: string, n: number, what = 'bundle'): Uint8Array {
  const corrupt = (why: string) => new InputError(fileName, `corrupt ${what}: entry "${entry.name}" ${why}`);
  const raw = entryData(bytes, entry, corrupt);
  const want = Math.min(n, entry.bytes);
  if (entry.method === 0) return raw.slice(0, want);
  const out = new Uint8Array(want);
  const got = inflateInto(raw, out, corrupt);
  return out.subarray(0, Math.min(got, want));
}
