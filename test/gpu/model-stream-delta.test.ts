import { describe, it } from 'vitest';
import { streamDelta } from '../../src/model/kernels/stream-delta.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { streamDeltaRef } from '../ref/stream-delta.js';

describe('model stream-delta kernel (workgroup 256)', () => {
  for (const [streams, n] of [[2, 1], [3, 255], [6, 257], [2, 1009]] as const) {
    it(`forms ft − base on the GPU for ${streams} streams of ${n}`, async () => {
      const gpu = await testGpu();
      const x = randomArray(streams * n, n);
      const tx = gpu.upload(x, [streams, n]);
      const td = await streamDelta(gpu, tx);
      expectRel(await gpu.read(td), streamDeltaRef(x, streams, n), 0, 'delta (exact f32 subtraction)');
      gpu.release(tx, td);
    });
  }
});
