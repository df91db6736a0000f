import { InputError } from '../errors/index.js';
import { firstNonFinite } from './finite.js';
import { type ByteReader, type ByteSource, openByteReader } from './byte-source.js';
import { parseStrictJson } from './strict-json.js';
import { DTYPE_BYTES, type SafetensorsDtype, floatBytesToF32, isFloatDtype, isSafetensorsDtype, shapeSize } from './dtype.js';

/** One tensor's header entry; `begin`/`end` are absolute byte offsets in the file. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The reference implementation refuses headers above 100 MB; so do we, before reading them. */
const MAX_HEADER_BYTES = 100_000_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reads the 8-byte little-endian header length as two u32 halves, so 2^64-1 cannot wrap. */
function headerLength(first8: Uint8Array<ArrayBuffer>, fileSize: number, fileName: string): number {
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = (BigInt(hi) << 32n) | BigInt(lo);
  if (n > BigInt(fileSize - 8)) throw new InputError(fileName, `header length ${n} exceeds file size ${fileSize}`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new InputError(fileName, `header length ${n} is above the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2n) throw new InputError(fileName, `header length ${n} is too small for a JSON object`);
  return Number(n);
}

/** As the reference reader: the header starts with `{` (no byte-order mark), is UTF-8 JSON without duplicate keys. */
function parseHeaderJson(bytes: Uint8Array, fileName: string): Record<string, unknown> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new InputError(fileName, 'safetensors header starts with a byte-order mark');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(fileName, 'safetensors header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = parseStrictJson(text, fileName);
  } catch (e) {
    throw new InputError(fileName, `safetensors header is not valid JSON (${e instanceof InputError ? e.problem : String(e)})`);
  }
  if (!isRecord(json)) throw new InputError(fileName, 'safetensors header is not a JSON object');
  if (bytes[0] !== 0x7b) throw new InputError(fileName, 'safetensors header does not start with "{"');
  return json;
}

function parseMetadata(v: unknown, fileName: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new InputError(fileName, '__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new InputError(fileName, `__metadata__.${k} is not a string`);
    out[k] = val;
  }
  return out;
}

function parseEntry(name: string, v: unknown, dataStart: number, fileSize: number, fileName: string): TensorInfo {
  const bad = (problem: string): InputError => new InputError(fileName, `tensor ${name}: ${problem}`);
  if (!isRecord(v)) throw bad('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = v;
  if (!isSafetensorsDtype(dtype)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegInt)) throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt)) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [b, e] = offsets as [number, number];
  if (e < b) throw bad(`data_offsets [${b}, ${e}] end before they begin`);
  const count = shapeSize(shape);
  if (count === undefined) throw bad(`shape ${JSON.stringify(shape)} has too many elements`);
  const want = count * DTYPE_BYTES[dtype];
  if (e - b !== want) {
    throw bad(`data_offsets span ${e - b} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${want}`);
  }
  const end = dataStart + e;
  if (end > fileSize) throw bad(`data ends at byte ${end}, file has ${fileSize} (truncated file)`);
  return { name, dtype, shape: [...shape], begin: dataStart + b, end };
}

/** As the reference reader: sorted by offset, tensors tile the data area exactly: no overlap, no hole, nothing after. */
function checkContiguous(infos: TensorInfo[], dataStart: number, fileSize: number, fileName: string): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = dataStart;
  let prev: TensorInfo | undefined;
  for (const cur of sorted) {
    if (cur.begin < at && prev) throw new InputError(fileName, `tensors ${prev.name} and ${cur.name} overlap (bytes ${cur.begin}-${at})`);
    if (cur.begin > at) {
      throw new InputError(fileName, `${cur.begin - at} unused bytes before tensor ${cur.name} (a hole at data offset ${at - dataStart})`);
    }
    at = cur.end;
    prev = cur;
  }
  if (at !== fileSize) throw new InputError(fileName, `${fileSize - at} trailing bytes after the last tensor's data`);
}

/** A safetensors file whose header has been validated; tensor data is read lazily by byte range. */
export class SafetensorsFile {
  readonly fileName: string;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  readonly sizeBytes: number;
  private readonly reader: ByteReader;

  private constructor(fileName: string, reader: ByteReader, tensors: Map<string, TensorInfo>, metadata: Record<string, string>) {
    this.fileName = fileName;
    this.reader = reader;
    this.tensors = tensors;
    this.metadata = metadata;
    this.sizeBytes = reader.size;
  }

  /** Reads and validates the header (length, JSON, dtypes, offsets, overlaps, truncation) only. */
  static async open(source: ByteSource, fileName: string): Promise<SafetensorsFile> {
    const reader = await openByteReader(source, fileName);
    const size = reader.size;
    if (size < 8) throw new InputError(fileName, `file has ${size} bytes, too short for a safetensors header`);
    const n = headerLength(await reader.read(0, 8), size, fileName);
    const header = parseHeaderJson(await reader.read(8, 8 + n), fileName);
    const dataStart = 8 + n;
    const tensors = new Map<string, TensorInfo>();
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      tensors.set(name, parseEntry(name, v, dataStart, size, fileName));
    }
    checkContiguous([...tensors.values()], dataStart, size, fileName);
    return new SafetensorsFile(fileName, reader, tensors, parseMetadata(header.__metadata__, fileName));
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new InputError(this.fileName, `no tensor named ${name}`);
    return t;
  }

  /** The tensor's raw little-endian bytes. */
  async readRaw(name: string): Promise<ArrayBuffer> {
    const t = this.info(name);
    return (await this.reader.read(t.begin, t.end)).buffer;
  }

  /** F32, F16 or BF16 data widened to f32; a NaN or infinity is bad input naming the file and the tensor. */
  async readF32(name: string): Promise<Float32Array> {
    const t = this.floatInfo(name);
    return this.finite(name, floatBytesToF32(t.dtype, await this.reader.read(t.begin, t.end)));
  }

  /**
   * Rows [rowStart, rowStart + rowCount) of a tensor seen as [shape[0], rest], as f32; reads only those bytes.
   * @returns [rowCount, prod(shape[1:])] f32
   */
  async readRows(name: string, rowStart: number, rowCount: number): Promise<Float32Array> {
    const t = this.floatInfo(name);
    const rows = t.shape[0] ?? 1;
    if (!Number.isInteger(rowStart) || !Number.isInteger(rowCount) || rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
      throw new RangeError(`${this.fileName}: tensor ${name} has ${rows} rows; asked for ${rowCount} from ${rowStart}`);
    }
    const rowBytes = (shapeSize(t.shape.slice(1)) ?? 0) * DTYPE_BYTES[t.dtype];
    const begin = t.begin + rowStart * rowBytes;
    return this.finite(name, floatBytesToF32(t.dtype, await this.reader.read(begin, begin + rowCount * rowBytes)));
  }

  private finite(name: string, data: Float32Array): Float32Array {
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new InputError(this.fileName, `tensor ${name} holds ${data[bad]} at element ${bad} (weights and data must be finite)`);
    return data;
  }

  /** Raw bytes of rows [rowStart, rowStart + rowCount) of a tensor seen as [shape[0], rest] (weights uploaded as stored). */
  async readRawRows(name: string, rowStart: number, rowCount: number): Promise<Uint8Array<ArrayBuffer>> {
    const t = this.info(name);
    const rows = t.shape[0] ?? 1;
    if (!Number.isInteger(rowStart) || !Number.isInteger(rowCount) || rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
      throw new RangeError(`${this.fileName}: tensor ${name} has ${rows} rows; asked for ${rowCount} from ${rowStart}`);
    }
    const rowBytes = (shapeSize(t.shape.slice(1)) ?? 0) * DTYPE_BYTES[t.dtype];
    const begin = t.begin + rowStart * rowBytes;
    return this.reader.read(begin, begin + rowCount * rowBytes);
  }

  private floatInfo(name: string): TensorInfo & { dtype: 'F32' | 'F16' | 'BF16' } {
    const t = this.info(name);
    if (!isFloatDtype(t.dtype)) throw new InputError(this.fileName, `tensor ${name} has dtype ${t.dtype}, expected F32, F16 or BF16`);
    return t as TensorInfo & { dtype: 'F32' | 'F16' | 'BF16' };
  }
}
