import { DTYPE_BYTES, type SafetensorsDtype, shapeSize } from './dtype.js';

export interface TensorToWrite {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian element data, product(shape) · dtype size bytes. */
  data: ArrayBufferView;
}

/**
 * A safetensors file: 8-byte little-endian header length, JSON header padded with spaces so the data
 * section starts 8-byte aligned, then each tensor's bytes in the order given.
 */
export function writeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error('writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const want = (shapeSize(t.shape) ?? NaN) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== want) {
      throw new Error(`writeSafetensors: tensor ${name} has ${t.data.byteLength} bytes, shape [${t.shape.join(', ')}] of ${t.dtype} needs ${want}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + want] };
    parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    offset += want;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerBytes / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
