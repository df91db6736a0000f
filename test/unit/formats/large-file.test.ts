// Local files over 4 GiB (sparse, so they cost no disk): Node 20's fs.openAsBlob reported their size modulo 2³².
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGemma2Checkpoint, SafetensorsFile } from '../../../src/formats/index.js';
import { LocalFileReader, modelFilesFromDir } from '../../../src/formats/node-files.js';
import { runCliInProcess } from '../../helpers/cli-in-process.js';
import { FIXTURES_DIR } from '../../helpers/fixtures.js';
import { PADDING_TENSOR, writeModelPast4GiB, writeSparseSafetensors } from '../../helpers/sparse-safetensors.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'large-file-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const GiB4 = 2 ** 32;

function inspect(target: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess(['inspect', target]);
}

describe('local files over 4 GiB', () => {
  const file = path.join(tmp, 'big.safetensors');
  const known = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);

  it('a 5 GB safetensors: exact size, ranges across and past 4 GiB, tensors past 4 GiB', async () => {
    const starts = await writeSparseSafetensors(file, {
      pad: { dtype: 'U8', shape: [5_000_000_000 - 4000 - 64] },
      known: { dtype: 'F32', shape: [1000], data: known },
    });
    const knownAt = starts.get('known')!;
    expect(knownAt).toBeGreaterThan(GiB4);
    const reader = await LocalFileReader.open(file);
    expect(reader.size).toBe(knownAt + 4000);
    const straddle = await reader.read(GiB4 - 3, GiB4 + 5);
    expect([...straddle]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = await reader.read(knownAt + 8, knownAt + 16);
    expect([...new Float32Array(bytes.buffer)]).toEqual([known[2], known[3]]);
    const st = await SafetensorsFile.open(reader, file);
    expect(st.sizeBytes).toBe(reader.size);
    expect(await st.readF32('known')).toEqual(known);
    const r = await inspect(file);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'safetensors', tensors: [{ name: 'pad', dtype: 'U8' }, { name: 'known', dtype: 'F32', shape: [1000] }] });
  });

  it('a model folder whose one safetensors file is over 4 GiB: inspect and tensor reads equal the fixture', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelPast4GiB(path.join(FIXTURES_DIR, 'model'), dir);
    const r = await inspect(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'model', tensors: 4 * 11 + 3, dtype: 'F32' });
    const big = (await openGemma2Checkpoint(await modelFilesFromDir(dir))).checkpoint;
    const ref = await SafetensorsFile.open(new Uint8Array(await readFile(path.join(FIXTURES_DIR, 'model/model.safetensors'))), 'ref');
    expect(big.info(PADDING_TENSOR).end).toBeGreaterThan(GiB4);
    for (const name of ref.tensors.keys()) {
      expect(big.info(name).begin).toBeGreaterThan(GiB4);
      expect(await big.readF32(name), name).toEqual(await ref.readF32(name));
    }
  });
});
