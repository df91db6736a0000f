// Hand-built zips and deflate streams for the adversarial suite: a normal zip writer cannot lie about sizes,
// CRCs, names or methods, and cannot make a gigabyte of output without a gigabyte of input.
import { deflateSync } from 'fflate';
import { crc32 } from '../../src/formats/bundle-zip.js';

export interface CraftEntry {
  name: string;
  data: Uint8Array;
  /** 0 stored, 8 deflate (compressed from `data` unless `compressed` is given). */
  method?: number;
  compressed?: Uint8Array;
  /** Lies for the central directory; default the truth. */
  declaredSize?: number;
  crc?: number;
  flags?: number;
  localName?: string;
  /** Point this entry's central record at another entry's local header (overlapping entries). */
  shareWith?: number;
}

/** A zip (no zip64) of the entries exactly as described, lies included. */
export function craftZip(entries: CraftEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e) => {
    const method = e.method ?? 0;
    const body = e.compressed ?? (method === 8 ? deflateSync(e.data) : e.data);
    const crc = e.crc ?? crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const name = enc.encode(e.name);
    const localName = enc.encode(e.localName ?? e.name);
    const local = new Uint8Array(30 + localName.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, e.flags ?? 0, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, localName.length, true);
    local.set(localName, 30);
    local.set(body, 30 + localName.length);
    const at = e.shareWith !== undefined ? offsets[e.shareWith] : offset;
    offsets.push(at);
    if (e.shareWith === undefined) {
      locals.push(local);
      offset += local.length;
    }
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, e.flags ?? 0, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, at, true);
    central.set(name, 46);
    centrals.push(central);
  });
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/**
 * A raw deflate stream that inflates to `prefix` then `n` copies of `byte`, in about n / 160 bytes: one
 * fixed-Huffman block of literals followed by length-258, distance-1 matches. This is how a small file becomes
 * a gigabyte.
 */
export function repeatedByteDeflate(byte: number, n: number, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  const put = (value: number, count: number): void => {
    acc |= value << bits;
    bits += count;
    while (bits >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  };
  // Huffman codes go most-significant bit first.
  const code = (value: number, count: number): void => {
    for (let i = count - 1; i >= 0; i--) put((value >> i) & 1, 1);
  };
  const literal = (b: number): void => (b < 144 ? code(0x30 + b, 8) : code(0x190 + b - 144, 9));
  put(1, 1); // final block
  put(1, 2); // fixed Huffman
  for (const b of prefix) literal(b);
  literal(byte);
  let left = n - 1;
  while (left >= 258) {
    code(0xc5, 8); // length code 285 = 258
    code(0, 5); // distance code 0 = 1
    left -= 258;
  }
  while (left-- > 0) literal(byte);
  code(0, 7); // end of block (256)
  if (bits > 0) out.push(acc & 0xff);
  return new Uint8Array(out);
}
