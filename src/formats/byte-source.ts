import { InputError } from '../errors/index.js';
import { fetchFile, fetchRequiredFile } from './http-file.js';
import { parseStrictJson } from './strict-json.js';

/**
 * Where bytes come from: memory, a dropped File/Blob, an HTTP URL read with Range requests, or a ready
 * ByteReader (Node's local files, which Blobs cannot represent past 4 GiB).
 */
export type ByteSource = ArrayBuffer | Uint8Array | Blob | UrlSource | ByteReader;

/** A remote file. `token` is sent as `Authorization: Bearer …` and never stored or logged. */
export interface UrlSource {
  url: string;
  token?: string;
}

/** Random access to a file's bytes; `read` returns a fresh, 8-byte-aligned copy of [begin, end). */
export interface ByteReader {
  readonly size: number;
  read(begin: number, end: number): Promise<Uint8Array<ArrayBuffer>>;
}

/** A body this small is kept whole when a server ignores Range; larger ones are refused. */
const MAX_WHOLE_BODY_BYTES = 64 * 1024 * 1024;

export function isUrlSource(s: ByteSource): s is UrlSource {
  return typeof s === 'object' && s !== null && 'url' in s && typeof (s as UrlSource).url === 'string';
}

export function isByteReader(s: ByteSource): s is ByteReader {
  return typeof s === 'object' && s !== null && typeof (s as ByteReader).read === 'function' && typeof (s as ByteReader).size === 'number' && !(typeof Blob !== 'undefined' && s instanceof Blob);
}

function memoryReader(bytes: Uint8Array): ByteReader {
  return {
    size: bytes.byteLength,
    // A copy that owns its buffer (a Node Buffer's slice() would share its pool).
    read: async (begin, end) => new Uint8Array(bytes.subarray(begin, end)),
  };
}

function blobReader(blob: Blob): ByteReader {
  return {
    size: blob.size,
    read: async (begin, end) => new Uint8Array(await blob.slice(begin, end).arrayBuffer()),
  };
}

function fetchOrThrow(src: UrlSource, fileName: string, range?: string): Promise<Response> {
  return fetchRequiredFile(src.url, fileName, { ...(src.token ? { token: src.token } : {}), ...(range ? { range } : {}) });
}

/** Total size from `Content-Range: bytes 0-7/12345`. */
function totalFromContentRange(value: string | null): number | undefined {
  const m = value ? /\/(\d+)\s*$/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

async function sizeFromHead(src: UrlSource, fileName: string): Promise<number> {
  const got = await fetchFile(src.url, fileName, { method: 'HEAD', ...(src.token ? { token: src.token } : {}) }).catch(() => undefined);
  const length = got && 'found' in got ? Number(got.found.headers.get('Content-Length') ?? NaN) : NaN;
  if (!Number.isSafeInteger(length)) throw new InputError(fileName, 'the server gives no file size (neither Content-Range nor Content-Length)');
  return length;
}

async function urlReader(src: UrlSource, fileName: string): Promise<ByteReader> {
  const first = await fetchOrThrow(src, fileName, 'bytes=0-7');
  if (first.status !== 206) {
    // The server ignored Range and is sending the whole file: keep it if small, refuse otherwise.
    const length = Number(first.headers.get('Content-Length') ?? NaN);
    if (!(length <= MAX_WHOLE_BODY_BYTES)) {
      await first.body?.cancel();
      throw new InputError(fileName, 'the server ignores HTTP Range requests (answered 200), so a large file cannot be read in parts');
    }
    return memoryReader(new Uint8Array(await first.arrayBuffer()));
  }
  await first.arrayBuffer();
  // Cross-origin responses hide Content-Range unless exposed; Content-Length of a HEAD is always readable.
  const size = totalFromContentRange(first.headers.get('Content-Range')) ?? (await sizeFromHead(src, fileName));
  return {
    size,
    read: async (begin, end) => {
      if (end <= begin) return new Uint8Array(0);
      const res = await fetchOrThrow(src, fileName, `bytes=${begin}-${end - 1}`);
      const body = new Uint8Array(await res.arrayBuffer());
      if ((res.status === 200 || res.status === 206) && body.byteLength === size) return body.slice(begin, end);
      if (res.status !== 206 || body.byteLength !== end - begin) {
        throw new InputError(fileName, `asked for bytes ${begin}-${end - 1}, got ${body.byteLength} bytes (HTTP ${res.status})`);
      }
      return body;
    },
  };
}

/** Opens random access to a source; for URLs this costs one small Range request (bytes 0-7). */
export async function openByteReader(source: ByteSource, fileName: string): Promise<ByteReader> {
  if (source instanceof ArrayBuffer) return memoryReader(new Uint8Array(source));
  if (source instanceof Uint8Array) return memoryReader(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return blobReader(source);
  if (isUrlSource(source)) return urlReader(source, fileName);
  if (isByteReader(source)) return source;
  throw new InputError(fileName, 'unsupported byte source');
}

/** Every byte of a (small) source: configs, npz files, adapter JSON. */
export async function readAllBytes(source: ByteSource, fileName: string): Promise<Uint8Array<ArrayBuffer>> {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof Uint8Array) return new Uint8Array(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength);
  if (isUrlSource(source)) return new Uint8Array(await (await fetchOrThrow(source, fileName)).arrayBuffer());
  const reader = await openByteReader(source, fileName);
  return reader.read(0, reader.size);
}

/** UTF-8 text of a source, with invalid UTF-8 reported as bad input. */
export async function readText(source: ByteSource, fileName: string): Promise<string> {
  const bytes = await readAllBytes(source, fileName);
  try {
    // ignoreBOM keeps a byte-order mark in the text, so the JSON reader can refuse it as Python's does.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(fileName, 'not valid UTF-8 text');
  }
}

/** Strict JSON (no duplicate keys, no byte-order mark) whose failure names the file and says where the JSON broke. */
export function parseJsonText(text: string, fileName: string): unknown {
  return parseStrictJson(text, fileName);
}

export async function readJson(source: ByteSource, fileName: string): Promise<unknown> {
  return parseJsonText(await readText(source, fileName), fileName);
}
