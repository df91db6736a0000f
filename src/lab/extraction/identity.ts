import { hasFile, openByteReader, type ByteSource, type ModelFiles } from '../../formats/index.js';

/** Files up to this size are hashed whole; larger ones (model shards) by size and safetensors header. */
const WHOLE_HASH_BYTES = 64 * 1024 * 1024;

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data: Uint8Array | ArrayBuffer | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * SHA-256 of a file's content; a file larger than 64 MiB is fingerprinted by its size, its safetensors
 * header (every tensor's name, dtype, shape and offsets) and its first and last MiB, so that multi-GB
 * checkpoints are not read twice.
 */
export async function fingerprintSource(src: ByteSource, fileName: string): Promise<string> {
  const reader = await openByteReader(src, fileName);
  if (reader.size <= WHOLE_HASH_BYTES) return sha256Hex(await reader.read(0, reader.size));
  const head = await reader.read(0, 8);
  const headerLen = Number(new DataView(head.buffer).getBigUint64(0, true));
  const headerEnd = Math.min(reader.size, 8 + Math.max(0, Math.min(headerLen, 100 * 1024 * 1024)));
  const parts = [new TextEncoder().encode(`size:${reader.size};`), await reader.read(0, headerEnd), await reader.read(0, Math.min(reader.size, 1 << 20)), await reader.read(Math.max(0, reader.size - (1 << 20)), reader.size)];
  const all = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.byteLength;
  }
  return sha256Hex(all);
}

/** Fingerprint of a model folder: config.json and every safetensors file (or index), by name. */
export async function fingerprintModel(files: ModelFiles): Promise<string> {
  // A URL folder lists no names: the usual ones are asked for, and those the server says are absent skipped.
  const listed = files.names().length > 0;
  const names = listed ? files.names() : ['config.json', 'model.safetensors.index.json', 'model.safetensors'];
  const wanted = names.filter((n) => n === 'config.json' || n.endsWith('.safetensors') || n.endsWith('.safetensors.index.json')).sort();
  const lines: string[] = [];
  for (const n of wanted) {
    const src = files.get(n);
    if (!src || (!listed && !(await hasFile(files, n)))) continue;
    lines.push(`${n}:${await fingerprintSource(src, n)}`);
  }
  return sha256Hex(lines.join('\n'));
}
