import { describe, expect, it } from 'vitest';
import { transpose } from '../../src/gpu/index.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { transposeRef } from '../ref/transpose.js';

// Tile 16: 1, 15, 17 and 37 (prime) on both sides.
const SHAPES: [number, number][] = [[1, 1], [1, 17], [15, 1], [17, 15], [37, 33], [128, 96]];

describe('transpose kernel', () => {
  for (const [rows, cols] of SHAPES) {
    it(`transposes [${rows}, ${cols}] exactly`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows + cols);
      const tx = gpu.upload(x, [rows, cols]);
      const y = await transpose(gpu, tx);
      expect(y.shape).toEqual([cols, rows]);
      expect(Array.from(await gpu.read(y))).toEqual(Array.from(transposeRef(x, rows, cols)));
      gpu.release(tx, y);
    });
  }

  it('transposes each matrix of a batch [3, 17, 5]', async () => {
    const gpu = await testGpu();
    const [B, R, C] = [3, 17, 5];
    const x = randomArray(B * R * C, 9);
    const tx = gpu.upload(x, [B, R, C]);
    const y = await transpose(gpu, tx);
    expect(y.shape).toEqual([B, C, R]);
    const got = await gpu.read(y);
    for (let b = 0; b < B; b++) {
      expect(Array.from(got.subarray(b * R * C, (b + 1) * R * C))).toEqual(Array.from(transposeRef(x.subarray(b * R * C), R, C)));
    }
    gpu.release(tx, y);
  });
});
