import { describe, expect, it } from 'vitest';
import { GpuError } from '../../src/errors/index.js';
import { acquireGpu, matmulTransBChunked, planRowChunks, releaseChunks, splitRows, type Gpu } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { matmulTransBChunkedRef } from '../ref/chunked.js';
import { TOL } from '../tolerances.js';

// A device with WebGPU's default limits (128 MiB bindings) and an artificially small chunk limit stand in
// for a 3.5 GiB embedding on a real adapter.
let device: Promise<Gpu> | null = null;
const defaultLimitsGpu = (): Promise<Gpu> => (device ??= acquireGpu({ defaultLimits: true }));

describe('row-chunked tensors', () => {
  it('gets a device with the default 128 MiB binding limit', async () => {
    const gpu = await defaultLimitsGpu();
    expect(gpu.limits.maxStorageBufferBindingSize).toBe(128 * 1024 * 1024);
  });

  it('plans equal chunks within the limit and refuses a row larger than it', () => {
    expect(planRowChunks(37, 13, 7 * 13 * 4).map((c) => c.rowCount)).toEqual([7, 7, 7, 7, 7, 2]);
    expect(planRowChunks(10, 4, 1 << 20)).toEqual([{ rowStart: 0, rowCount: 10 }]);
    expect(() => planRowChunks(3, 1000, 3999)).toThrow(GpuError);
  });

  for (const [M, K, N, rowsPerChunk] of [[1, 13, 37, 7], [5, 33, 64, 1], [31, 17, 67, 16]] as const) {
    it(`x·Wᵀ over W split into chunks of ${rowsPerChunk} rows matches the reference (M=${M} K=${K} N=${N})`, async () => {
      const gpu = await defaultLimitsGpu();
      const x = randomArray(M * K, 1);
      const w = randomArray(N * K, 2);
      const bias = randomArray(N, 3);
      const reads: number[] = [];
      const reader = async (start: number, count: number): Promise<Float32Array> => {
        reads.push(count);
        return w.slice(start * K, (start + count) * K);
      };
      const chunks = await splitRows(gpu, reader, N, K, { maxBindingBytes: rowsPerChunk * K * 4, label: 'W' });
      expect(chunks.chunks.length).toBe(Math.ceil(N / rowsPerChunk));
      expect(Math.max(...reads)).toBeLessThanOrEqual(rowsPerChunk);
      const [tx, tb] = [gpu.upload(x, [M, K]), gpu.upload(bias, [N])];
      const y = await matmulTransBChunked(gpu, tx, chunks, { bias: tb });
      expectRel(await gpu.read(y), matmulTransBChunkedRef(x, w, M, K, N, { bias }), TOL.kernel, `chunked ${M}x${K}x${N}`);
      gpu.release(tx, tb, y);
      releaseChunks(gpu, chunks);
    });
  }

  it('accumulates into out with beta across chunks from a host array', async () => {
    const gpu = await defaultLimitsGpu();
    const [M, K, N] = [3, 9, 11];
    const x = randomArray(M * K, 4);
    const w = randomArray(N * K, 5);
    const y0 = randomArray(M * N, 6);
    const chunks = await splitRows(gpu, w, N, K, { maxBindingBytes: 4 * K * 4 });
    const [tx, ty] = [gpu.upload(x, [M, K]), gpu.upload(y0, [M, N])];
    await matmulTransBChunked(gpu, tx, chunks, { out: ty, beta: 1, alpha: 2 });
    expectRel(await gpu.read(ty), matmulTransBChunkedRef(x, w, M, K, N, { alpha: 2, beta: 1, y0 }), TOL.kernel, 'chunked beta');
    gpu.release(tx, ty);
    releaseChunks(gpu, chunks);
  });

  it('stops at an aborted signal and reports progress per chunk', async () => {
    const gpu = await defaultLimitsGpu();
    const controller = new AbortController();
    const seen: number[] = [];
    const reader = async (start: number, count: number): Promise<Float32Array> => {
      if (start >= 4) controller.abort();
      return new Float32Array(count * 2);
    };
    await expect(splitRows(gpu, reader, 10, 2, { maxBindingBytes: 16, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    await splitRows(gpu, new Float32Array(20), 10, 2, { maxBindingBytes: 16, onProgress: (p) => seen.push(p.done) }).then((c) => releaseChunks(gpu, c));
    expect(seen[seen.length - 1]).toBe(10);
  });
});
