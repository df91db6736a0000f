import { InputError } from '../errors/index.js';
import { shapeSize } from './dtype.js';

/** NumPy element types we read (little-endian; `b1` = bool, `f2` kept as raw half bits). */
export type NpyDtype = 'f4' | 'f8' | 'f2' | 'i4' | 'i8' | 'u1' | 'b1' | 'i1' | 'u4';
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint32Array | BigInt64Array | Uint16Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const NPY_BYTES: Readonly<Record<NpyDtype, number>> = { f4: 4, f8: 8, f2: 2, i4: 4, i8: 8, u1: 1, b1: 1, i1: 1, u4: 4 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

function makeView(dtype: NpyDtype, buf: ArrayBuffer): NpyData {
  switch (dtype) {
    case 'f4': return new Float32Array(buf);
    case 'f8': return new Float64Array(buf);
    case 'f2': return new Uint16Array(buf);
    case 'i4': return new Int32Array(buf);
    case 'i8': return new BigInt64Array(buf);
    case 'u1': case 'b1': return new Uint8Array(buf);
    case 'i1': return new Int8Array(buf);
    case 'u4': return new Uint32Array(buf);
  }
}

/** The descr string: '<f4', '|u1', ... Single-byte types have no byte order ('|'). */
function parseDescr(descr: string, fileName: string): NpyDtype {
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  if (!m) throw new InputError(fileName, `unsupported .npy dtype ${JSON.stringify(descr)}`);
  const [, order, code] = m;
  if (order === '>' && code !== 'u1' && code !== 'i1' && code !== 'b1') {
    throw new InputError(fileName, `big-endian .npy data (${descr}) is not supported; save it little-endian`);
  }
  if (!Object.prototype.hasOwnProperty.call(NPY_BYTES, code)) throw new InputError(fileName, `unsupported .npy dtype ${JSON.stringify(descr)}`);
  return code as NpyDtype;
}

/** The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (4, 24), } */
function parseHeaderDict(text: string, fileName: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new InputError(fileName, `malformed .npy header ${JSON.stringify(text.trim())}`);
  if (fortran[1] === 'True') throw new InputError(fileName, '.npy data is in Fortran (column-major) order; save it in C order');
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const out = dims.map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN));
  if (out.some((d) => !Number.isSafeInteger(d))) throw new InputError(fileName, `bad .npy shape (${shape[1]})`);
  return { dtype: parseDescr(descr[1], fileName), shape: out };
}

/** Parses a .npy file (format versions 1-3, little-endian, C order); the data is copied out. */
export function parseNpy(bytes: ArrayBuffer | Uint8Array, fileName: string): NpyArray {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < 10 || !MAGIC.every((b, i) => u8[i] === b)) throw new InputError(fileName, 'not a .npy file (bad magic)');
  const major = u8[6];
  if (major < 1 || major > 3) throw new InputError(fileName, `unsupported .npy format version ${major}.${u8[7]}`);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (u8.byteLength < 8 + lenBytes) throw new InputError(fileName, '.npy file ends inside its header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > u8.byteLength) throw new InputError(fileName, `.npy header length ${headerLen} exceeds file size ${u8.byteLength}`);
  const headerBytes = u8.subarray(8 + lenBytes, dataStart);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes);
  const { dtype, shape } = parseHeaderDict(text, fileName);
  const count = shapeSize(shape);
  const want = count === undefined ? NaN : count * NPY_BYTES[dtype];
  const have = u8.byteLength - dataStart;
  if (have !== want) throw new InputError(fileName, `.npy data is ${have} bytes, shape [${shape.join(', ')}] of ${dtype} needs ${want}`);
  // Copy through the Uint8Array constructor: a Node Buffer's slice() shares memory with its pool.
  const data = new Uint8Array(u8.subarray(dataStart, dataStart + want)).buffer;
  return { dtype, shape, data: makeView(dtype, data) };
}

export type NpyWritable = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint32Array | BigInt64Array | Uint16Array;

function descrOf(data: NpyWritable): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Uint16Array) return '<f2';
  if (data instanceof Int8Array) return '|i1';
  return '|u1';
}

/** A version-1 .npy (version 2 when the header needs it), C order, header padded to 64 bytes. */
export function writeNpy(data: NpyWritable, shape: number[]): Uint8Array<ArrayBuffer> {
  if (shapeSize(shape) !== data.length) throw new Error(`writeNpy: ${data.length} elements do not fill shape [${shape.join(', ')}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let dict = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': (${dims}), }`;
  const v2 = dict.length + 12 > 65535;
  const pre = v2 ? 12 : 10;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v2) view.setUint32(8, dict.length, true);
  else view.setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
