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

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

/**
 * The header is a Python literal, read as numpy reads it (ast.literal_eval, then checks): a dict with exactly the
 * keys descr, fortran_order and shape, each once, and nothing after it but spaces and the closing newline.
 */
class PyLiteralReader {
  private i = 0;
  constructor(private readonly text: string, private readonly fileName: string) {}

  private fail(why: string): InputError {
    return new InputError(this.fileName, `malformed .npy header (${why} at character ${this.i}): ${JSON.stringify(this.text.trim().slice(0, 120))}`);
  }

  private skipSpace(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i])) this.i++;
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.i] !== ch) throw this.fail(this.i >= this.text.length ? `unclosed literal, expected ${ch}` : `expected ${ch}`);
    this.i++;
  }

  document(): Map<string, PyValue> {
    const v = this.value(0);
    this.skipSpace();
    if (this.i !== this.text.length) throw this.fail('text after the dict');
    if (!(v instanceof Map)) throw this.fail('not a dict');
    return v;
  }

  private value(depth: number): PyValue {
    if (depth > 8) throw this.fail('nested too deeply');
    this.skipSpace();
    const c = this.text[this.i];
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']', depth);
    if (c === "'" || c === '"') return this.string();
    const word = /^(?:True|False|None|-?\d+)/.exec(this.text.slice(this.i, this.i + 24));
    if (!word) throw this.fail(c === undefined ? 'unclosed literal' : `unexpected ${JSON.stringify(c)}`);
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0]);
  }

  private string(): string {
    const quote = this.text[this.i++];
    const end = this.text.indexOf(quote, this.i);
    if (end < 0) throw this.fail('unclosed string');
    const s = this.text.slice(this.i, end);
    if (s.includes('\\') || s.includes('\n')) throw this.fail('escapes in strings are not supported');
    this.i = end + 1;
    return s;
  }

  private sequence(close: string, depth: number): PyValue {
    this.i++;
    const items: PyValue[] = [];
    let commas = 0;
    for (;;) {
      this.skipSpace();
      if (this.text[this.i] === close) break;
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.i] === ',') {
        this.i++;
        commas++;
        continue;
      }
      if (this.text[this.i] !== close) throw this.fail(this.i >= this.text.length ? `unclosed literal, expected ${close}` : `expected , or ${close}`);
    }
    this.i++;
    // `(5)` is the number 5 in Python, not a tuple.
    if (close === ')' && items.length === 1 && commas === 0) return items[0];
    return close === ')' ? { tuple: items } : items;
  }

  private dict(depth: number): Map<string, PyValue> {
    this.i++;
    const out = new Map<string, PyValue>();
    for (;;) {
      this.skipSpace();
      if (this.text[this.i] === '}') break;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') throw this.fail('dict keys must be strings');
      if (out.has(key)) throw this.fail(`key '${key}' appears twice`);
      this.expect(':');
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] !== '}') throw this.fail(this.i >= this.text.length ? 'unclosed dict, expected }' : 'expected , or }');
    }
    this.i++;
    return out;
  }
}

const HEADER_KEYS = ['descr', 'fortran_order', 'shape'];

function parseHeaderDict(text: string, fileName: string): { dtype: NpyDtype; shape: number[] } {
  const dict = new PyLiteralReader(text, fileName).document();
  const keys = [...dict.keys()].sort();
  if (keys.join(',') !== HEADER_KEYS.join(',')) {
    throw new InputError(fileName, `malformed .npy header: keys are [${keys.map((k) => `'${k.slice(0, 40)}'`).join(', ')}], expected exactly 'descr', 'fortran_order', 'shape'`);
  }
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new InputError(fileName, 'unsupported .npy dtype (descr is not a simple type string; structured arrays are not supported)');
  if (typeof fortran !== 'boolean') throw new InputError(fileName, 'malformed .npy header: fortran_order is not True or False');
  if (fortran) throw new InputError(fileName, '.npy data is in Fortran (column-major) order; save it in C order');
  const dims = typeof shape === 'object' && shape !== null && 'tuple' in shape ? shape.tuple : undefined;
  if (!dims || !dims.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new InputError(fileName, `malformed .npy header: shape is not a tuple of non-negative integers`);
  }
  if (dims.length > 32) throw new InputError(fileName, `.npy shape has ${dims.length} dimensions, more than numpy's 32`);
  return { dtype: parseDescr(descr, fileName), shape: dims };
}

/** numpy refuses headers above 10000 bytes by default (max_header_size); we allow a little more, never gigabytes. */
export const MAX_NPY_HEADER_BYTES = 65_536;

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Where the data starts, and how many bytes the shape and dtype need. */
  dataStart: number;
  dataBytes: number;
}

/** Reads and checks the magic and header dict; `u8` may be just the file's first bytes (any prefix holding the header). */
export function readNpyHeader(u8: Uint8Array, fileName: string): NpyHeader {
  if (u8.byteLength < 10 || !MAGIC.every((b, i) => u8[i] === b)) throw new InputError(fileName, 'not a .npy file (bad magic)');
  const major = u8[6];
  if (major < 1 || major > 3 || u8[7] !== 0) throw new InputError(fileName, `unsupported .npy format version ${major}.${u8[7]}`);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (u8.byteLength < 8 + lenBytes) throw new InputError(fileName, '.npy file ends inside its header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_NPY_HEADER_BYTES) throw new InputError(fileName, `.npy header length ${headerLen} is above the ${MAX_NPY_HEADER_BYTES}-byte limit`);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > u8.byteLength) throw new InputError(fileName, `.npy header length ${headerLen} exceeds file size ${u8.byteLength}`);
  const headerBytes = u8.subarray(8 + lenBytes, dataStart);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new InputError(fileName, '.npy header is not valid UTF-8');
  }
  const { dtype, shape } = parseHeaderDict(text, fileName);
  const count = shapeSize(shape);
  const dataBytes = count === undefined ? NaN : count * NPY_BYTES[dtype];
  if (!Number.isSafeInteger(dataBytes)) throw new InputError(fileName, `.npy shape [${shape.join(', ')}] is too large`);
  return { dtype, shape, dataStart, dataBytes };
}

/** Parses a .npy file (format versions 1-3, little-endian, C order); the data is copied out. */
export function parseNpy(bytes: ArrayBuffer | Uint8Array, fileName: string): NpyArray {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { dtype, shape, dataStart, dataBytes: want } = readNpyHeader(u8, fileName);
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
