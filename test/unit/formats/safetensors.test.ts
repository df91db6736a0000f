import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import { SafetensorsFile, writeSafetensors } from '../../../src/formats/index.js';
import { fixtureBytes, fixtureJson } from '../../helpers/fixtures.js';
import { sameBits } from './bits.js';

interface ManifestFile { file: string; format: string; tensors?: Record<string, { dtype: string; shape: number[] }> }
const manifest = await fixtureJson<{ files: ManifestFile[] }>('manifest.json');
const goodFiles = manifest.files.filter((f) => f.format === 'safetensors');

/** Round-to-nearest-even of f32 to bf16, written from the definition (independent of the reader). */
function bf16Round(x: Float32Array): Float32Array {
  const bits = new Uint32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  for (let i = 0; i < bits.length; i++) bits[i] = ((bits[i] + 0x7fff + ((bits[i] >>> 16) & 1)) >>> 0) & 0xffff0000;
  return new Float32Array(bits.buffer);
}

/** A header by hand: 8-byte length + JSON + data, for malformed cases. */
function rawFile(header: unknown, dataBytes: number, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('safetensors reader on the fixtures', () => {
  it.each(goodFiles.map((f) => f.file))('%s parses with the manifest shapes and dtypes', async (file) => {
    const st = await SafetensorsFile.open(await fixtureBytes(file), file);
    const want = goodFiles.find((f) => f.file === file)!.tensors!;
    expect([...st.tensors.keys()].sort()).toEqual(Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) {
      expect(st.info(name).dtype).toBe(t.dtype);
      expect(st.info(name).shape).toEqual(t.shape);
    }
  });

  it('the BF16 model reads as the bf16-rounded F32 model, tensor by tensor', async () => {
    const f32 = await SafetensorsFile.open(await fixtureBytes('model/model.safetensors'), 'model.safetensors');
    const bf16 = await SafetensorsFile.open(new Blob([await fixtureBytes('model-bf16/model.safetensors')]), 'bf16.safetensors');
    expect(bf16.metadata).toEqual({ format: 'pt' });
    for (const name of f32.tensors.keys()) {
      expect(sameBits(await bf16.readF32(name), bf16Round(await f32.readF32(name))), name).toBe(true);
    }
  });

  it('readRows reads exactly the rows asked for', async () => {
    const st = await SafetensorsFile.open(await fixtureBytes('model/model.safetensors'), 'model.safetensors');
    const all = await st.readF32('model.embed_tokens.weight');
    expect(await st.readRows('model.embed_tokens.weight', 7, 3)).toEqual(all.subarray(7 * 64, 10 * 64));
    const bf = await SafetensorsFile.open(await fixtureBytes('model-bf16/model.safetensors'), 'b');
    expect(await bf.readRows('model.layers.1.mlp.down_proj.weight', 63, 1)).toEqual((await bf.readF32('model.layers.1.mlp.down_proj.weight')).subarray(63 * 128));
    await expect(st.readRows('model.embed_tokens.weight', 510, 3)).rejects.toThrow(RangeError);
  });
});

describe('safetensors writer', () => {
  it('round-trips every dtype, metadata and an 8-aligned header padded with spaces', async () => {
    const tensors = {
      a: { dtype: 'F32' as const, shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-30, -7]) },
      b: { dtype: 'I64' as const, shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) },
      c: { dtype: 'U8' as const, shape: [3], data: new Uint8Array([0, 255, 7]) },
      d: { dtype: 'F16' as const, shape: [4], data: new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]) },
      e: { dtype: 'BF16' as const, shape: [1], data: new Uint16Array([0x3f80]) },
      z: { dtype: 'I32' as const, shape: [0], data: new Int32Array(0) },
    };
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const st = await SafetensorsFile.open(bytes, 'x.safetensors');
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(await st.readF32('a')).toEqual(tensors.a.data);
    expect(new BigInt64Array(await st.readRaw('b'))).toEqual(tensors.b.data);
    expect(new Uint8Array(await st.readRaw('c'))).toEqual(tensors.c.data);
    expect(Array.from(new Uint16Array(await st.readRaw('d')))).toEqual([0x3c00, 0xc000, 0x0001, 0x7c00]);
    await expect(st.readF32('d')).rejects.toThrow(/tensor d holds Infinity at element 3/);
    expect(Array.from(await st.readF32('e'))).toEqual([1]);
    expect(st.info('z').shape).toEqual([0]);
    await expect(st.readF32('b')).rejects.toThrow(/dtype I64/);
  });

  it('re-writing a fixture gives a file that reads back identically', async () => {
    const src = await SafetensorsFile.open(await fixtureBytes('adapters/r8-patterns/adapter_model.safetensors'), 'r8p');
    const out: Parameters<typeof writeSafetensors>[0] = {};
    for (const [name, t] of src.tensors) out[name] = { dtype: t.dtype, shape: t.shape, data: await src.readF32(name) };
    const back = await SafetensorsFile.open(writeSafetensors(out, src.metadata), 'back');
    for (const name of src.tensors.keys()) expect(sameBits(await back.readF32(name), await src.readF32(name)), name).toBe(true);
  });
});

describe('safetensors reader rejects malformed files before allocating', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', new Uint8Array(5), /too short/],
    ['a header that is not JSON', rawFile(null, 8, '{"t": {"dtype": "F32",,}}'), /not valid JSON/],
    ['a header that is a JSON array', rawFile([1, 2], 0), /not a JSON object/],
    ['an unknown dtype', rawFile({ t: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), /tensor t: unknown dtype "F8_E4M3"/],
    ['negative offsets', rawFile({ t: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }, 8), /tensor t: data_offsets \[-8,0\]/],
    ['offsets that end before they begin', rawFile({ t: { dtype: 'U8', shape: [0], data_offsets: [4, 2] } }, 8), /end before they begin/],
    ['a negative dimension', rawFile({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 8), /shape \[-2\]/],
    ['overlapping tensors', rawFile({ ...ok, u: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /tensors t and u overlap/],
    ['data past the end of the file', rawFile(ok, 7), /tensor t: data ends at byte \d+, file has \d+/],
    ['__metadata__ with a non-string value', rawFile({ ...ok, __metadata__: { a: 1 } }, 8), /__metadata__\.a is not a string/],
  ];
  it.each(cases)('%s', async (_what, bytes, problem) => {
    const e = await rejection(SafetensorsFile.open(bytes, 'bad.safetensors'));
    expect(e.file).toBe('bad.safetensors');
    expect(e.problem).toMatch(problem);
  });

  it('a 2^64-1 header length is reported exactly, not wrapped', async () => {
    const bytes = new Uint8Array(64).fill(0xff);
    const e = await rejection(SafetensorsFile.open(bytes, 'u64.safetensors'));
    expect(e.problem).toBe('header length 18446744073709551615 exceeds file size 64');
  });

  it('a missing tensor is named', async () => {
    const st = await SafetensorsFile.open(rawFile(ok, 8), 'f.safetensors');
    expect(() => st.info('nope')).toThrow('f.safetensors: no tensor named nope');
  });
});
