import { describe, expect, it } from 'vitest';
import { softmaxRows } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { softmaxRowsRef } from '../ref/softmax-rows.js';
import { TOL } from '../tolerances.js';

const SHAPES: [number, number][] = [[1, 1], [3, 1], [2, 255], [5, 257], [3, 1009], [64, 128]];

describe('softmax-rows kernel', () => {
  for (const [rows, cols] of SHAPES) {
    it(`matches the reference for [${rows}, ${cols}]`, async () => {
      const gpu = await testGpu();
      const x = randomArray(rows * cols, rows + 7 * cols).map((v) => 8 * v);
      const tx = gpu.upload(x, [rows, cols]);
      const y = await softmaxRows(gpu, tx, 0.7);
      expectRel(await gpu.read(y), softmaxRowsRef(x, rows, cols, 0.7), TOL.kernel, `softmax [${rows}, ${cols}]`);
      gpu.release(tx, y);
    });
  }

  it('stays finite for logits of ±1e4 and gives 0 for −inf entries and all −inf rows', async () => {
    const gpu = await testGpu();
    const x = new Float32Array([1e4, 1e4 - 1, -1e4, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    const tx = gpu.upload(x, [2, 4]);
    const y = await softmaxRows(gpu, tx);
    const got = await gpu.read(y);
    expectRel(got, softmaxRowsRef(x, 2, 4), TOL.kernel, 'softmax extremes');
    expect(got[3]).toBe(0);
    expect(Array.from(got.subarray(4))).toEqual([0, 0, 0, 0]);
    gpu.release(tx, y);
  });
});
