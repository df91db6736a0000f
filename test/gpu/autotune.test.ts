import { expect, it } from 'vitest';
import { acquireGpu, autotune, matmul, setTuneStore, type MatmulTile } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { matmulRef } from '../ref/matmul.js';
import { TOL } from '../tolerances.js';

interface TileCandidate {
  id: string;
  tile: MatmulTile;
}

// 64×64 threads exceed every adapter's 256 invocations per workgroup (WebGPU's default; SwiftShader's too).
const CANDIDATES: TileCandidate[] = [
  { id: 'too-big', tile: { x: 64, y: 64, k: 16 } },
  { id: '8x8', tile: { x: 8, y: 8, k: 16 } },
  { id: '16x4', tile: { x: 16, y: 4, k: 16 } },
];

it('picks a candidate that runs, measures once per device, and reuses the choice saved in IndexedDB on a new device', async () => {
  const gpu = await testGpu();
  const [M, K, N] = [37, 29, 45];
  const x = randomArray(M * K, 1);
  const w = randomArray(K * N, 2);
  const tx = gpu.upload(x, [M, K]);
  const tw = gpu.upload(w, [K, N]);
  const runs: string[] = [];
  const run = async (c: TileCandidate): Promise<void> => {
    runs.push(c.id);
    gpu.release(await matmul(gpu, tx, tw, { variant: 'tiled', tile: c.tile }));
  };
  const problem = `test-matmul-${Date.now()}`;
  const chosen = await autotune(gpu, problem, CANDIDATES, run);
  expect(chosen.id).not.toBe('too-big');
  expect(runs.filter((id) => id === '8x8')).toHaveLength(3); // warm-up + 2 rounds
  expect(runs.filter((id) => id === '16x4')).toHaveLength(3);

  const y = await matmul(gpu, tx, tw, { variant: 'tiled', tile: chosen.tile });
  expectRel(await gpu.read(y), matmulRef(x, w, M, K, N), TOL.kernel, `matmul with the tuned tile ${chosen.id}`);
  gpu.release(tx, tw, y);

  runs.length = 0;
  expect((await autotune(gpu, problem, CANDIDATES, run)).id).toBe(chosen.id);
  const other = await acquireGpu();
  expect((await autotune(other, problem, CANDIDATES, () => Promise.reject(new Error('measured again')))).id).toBe(chosen.id);
  expect(runs).toEqual([]);
  other.destroy();
});

it('without a store, a new device measures again', async () => {
  setTuneStore(null);
  try {
    const gpu = await acquireGpu();
    let calls = 0;
    const run = (): Promise<void> => {
      calls++;
      return Promise.resolve();
    };
    await autotune(gpu, 'test-no-store', [{ id: 'a' }, { id: 'b' }], run, { rounds: 1 });
    expect(calls).toBe(4);
    gpu.destroy();
  } finally {
    setTuneStore(undefined);
  }
});
