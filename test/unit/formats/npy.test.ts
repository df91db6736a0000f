import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import { parseNpy, parseNpz, writeNpy, writeNpz } from '../../../src/formats/index.js';
import { zipSync } from 'fflate';
import { FIXTURES_DIR, fixtureBytes, fixtureJson } from '../../helpers/fixtures.js';
import { sameBits } from './bits.js';

interface ManifestFile { file: string; format: string; dtype?: string; shape?: number[] }
const manifest = await fixtureJson<{ files: ManifestFile[] }>('manifest.json');
const npyFiles = manifest.files.filter((f) => f.format === 'npy');
const NUMPY_NAME = { f4: 'float32', f8: 'float64', i4: 'int32' } as Record<string, string>;

/** A .npy with a hand-written header dict, for malformed cases. */
function npyWith(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const text = dict.padEnd(Math.ceil((pre + dict.length + 1) / 64) * 64 - pre - 1, ' ') + '\n';
  const out = new Uint8Array(pre + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, text.length, true);
  else v.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, pre + text.length);
  return out;
}

function problemOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('did not throw');
}

describe('.npy', () => {
  it(`all ${npyFiles.length} .npy fixtures parse with the manifest dtypes and shapes`, async () => {
    expect(npyFiles.length).toBeGreaterThan(90);
    for (const f of npyFiles) {
      const a = parseNpy(await fixtureBytes(f.file), f.file);
      expect(NUMPY_NAME[a.dtype], f.file).toBe(f.dtype);
      expect(a.shape, f.file).toEqual(f.shape);
      expect(a.data.length).toBe(f.shape!.reduce((x, y) => x * y, 1));
    }
  });

  it('known values: reference/input_ids.npy starts with bos 2, 350, 367', async () => {
    const ids = parseNpy(await fixtureBytes('reference/input_ids.npy'), 'input_ids.npy');
    expect(Array.from(ids.data as Int32Array).slice(0, 3)).toEqual([2, 350, 367]);
    expect(ids.data[24]).toBe(2);
  });

  it('write → read round-trips each dtype and shapes of rank 0 to 3', () => {
    const cases = [
      { data: new Float32Array([1.5, -2, 3, 4, 5, 6]), shape: [2, 3] },
      { data: new Float64Array([Math.PI]), shape: [] },
      { data: new Int32Array([-1, 2, 3]), shape: [3] },
      { data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] },
      { data: new Float32Array(0), shape: [0, 5] },
    ];
    for (const c of cases) {
      const bytes = writeNpy(c.data, c.shape);
      expect((bytes.indexOf(0x0a) + 1) % 64).toBe(0);
      const back = parseNpy(bytes, 'x.npy');
      expect(back.shape).toEqual(c.shape);
      expect(back.data).toEqual(c.data);
    }
  });

  it('reads version 2 and 3 headers', () => {
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    for (const v of [2, 3]) {
      const a = parseNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, v), 'v.npy');
      expect(Array.from(a.data as Float32Array)).toEqual([1, 2]);
    }
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['Fortran order', npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", new Uint8Array(8)), /Fortran/],
    ['big-endian data', npyWith("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), /big-endian/],
    ['a structured dtype', npyWith("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), /malformed|unsupported/],
    ['an object dtype', npyWith("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)), /unsupported .npy dtype/],
    ['data shorter than the shape', npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8)), /8 bytes, shape \[3\] of f4 needs 12/],
    ['bad magic', new Uint8Array(64), /bad magic/],
    ['version 9', npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8), 9), /version 9/],
  ];
  it.each(bad)('rejects %s', (_what, bytes, problem) => {
    expect(problemOf(() => parseNpy(bytes, 'bad.npy'))).toMatch(problem);
    expect(problemOf(() => parseNpy(bytes, 'bad.npy'))).toMatch(/^bad\.npy: /);
  });
});

describe('.npz', () => {
  it('reads the Gemma Scope params.npz (stored entries)', async () => {
    const p = parseNpz(await fixtureBytes('sae/params.npz'), 'params.npz');
    expect([...p.keys()].sort()).toEqual(['W_dec', 'W_enc', 'b_dec', 'b_enc', 'threshold']);
    expect(p.get('W_enc')!.shape).toEqual([64, 256]);
    expect(p.get('W_dec')!.shape).toEqual([256, 64]);
    expect(p.get('threshold')!.dtype).toBe('f4');
  });

  it('reads deflated entries as np.savez_compressed writes them', async () => {
    const p = parseNpz(await fixtureBytes('sae/params.npz'), 'params.npz');
    const files: Record<string, [Uint8Array, { level: 6 }]> = {};
    for (const [k, a] of p) files[`${k}.npy`] = [writeNpy(a.data as Float32Array, a.shape), { level: 6 }];
    const zipped = zipSync(files);
    const q = parseNpz(zipped, 'compressed.npz');
    for (const [k, a] of p) expect(sameBits(q.get(k)!.data, a.data), k).toBe(true);
  });

  it('reads numpy\'s own npz entries (force_zip64 local headers with 0xFFFFFFFF sizes)', () => {
    // Python: zipfile.ZipFile(..., ZIP_DEFLATED).open('x.npy', 'w', force_zip64=True), as np.savez_compressed writes.
    const b64 = 'UEsDBC0AAAAIAAAAIQAJ+hJ5//////////8FABQAeC5ucHkBABAATAAAAAAAAABIAAAAAAAAAJvsF+obEMnIYMVQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6mjoKtVwMDAfsGYAEAFBLAQItAy0AAAAIAAAAIQAJ+hJ5SAAAAEwAAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLBQYAAAAAAQABADMAAAB/AAAAAAA=';
    const x = parseNpz(Buffer.from(b64, 'base64'), 'z64.npz').get('x')!;
    expect(x.shape).toEqual([2]);
    expect(Array.from(x.data as Float32Array)).toEqual([1.5, -2]);
  });

  it('writeNpz round-trips, stored and compressed', () => {
    const arrays = { a: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }, b: { data: new Int32Array([7]), shape: [1] } };
    for (const compress of [false, true]) {
      const back = parseNpz(writeNpz(arrays, { compress }), 'x.npz');
      expect(back.get('a')).toEqual({ dtype: 'f4', shape: [2, 2], data: arrays.a.data });
      expect(back.get('b')!.data).toEqual(arrays.b.data);
    }
  });

  it('rejects a file that is not a zip, and names a bad member', () => {
    expect(problemOf(() => parseNpz(new Uint8Array(100), 'x.npz'))).toMatch(/^x\.npz: not a readable \.npz/);
    const zipped = zipSync({ 'w.npy': new Uint8Array(20) });
    expect(problemOf(() => parseNpz(zipped, 'x.npz'))).toMatch(/^x\.npz\/w\.npy: not a \.npy file/);
  });
});

describe('parseNpy on a Node Buffer', () => {
  it('returns only the data bytes when the Buffer is a view into a larger pool', async () => {
    const { readFile } = await import('node:fs/promises');
    const buf = await readFile(`${FIXTURES_DIR}/metrics/max_cos_A.npy`);
    const fromBuffer = parseNpy(buf, 'max_cos_A.npy');
    const fromCopy = parseNpy(new Uint8Array(buf), 'max_cos_A.npy');
    expect(fromBuffer.data.buffer.byteLength).toBe(fromCopy.data.byteLength);
    expect(Array.from(fromBuffer.data as Float32Array)).toEqual(Array.from(fromCopy.data as Float32Array));
  });
});
