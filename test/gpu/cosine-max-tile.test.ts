import { describe, expect, it } from 'vitest';
import { COSINE_STRIP, cosineMaxTile, quadsFor, stripsFor } from '../../src/analysis/kernels/cosine-max-tile.js';
import { maxAbsError, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { cosineMaxTileRef } from '../ref/cosine-max-tile.js';
import { normalizeRowsTransposedRef } from '../ref/normalize-rows.js';
import { TOL } from '../tolerances.js';

/** Unit rows (float64 → f32), row-major for the reference and column-major padded for the kernel. */
function unitRows(rows: number, cols: number, seed: number): { rowMajor: Float32Array; colMajor: Float32Array } {
  const padded = Math.ceil(rows / 4) * 4;
  const colMajor = Float32Array.from(normalizeRowsTransposedRef(randomArray(rows * cols, seed), rows, cols, padded));
  const rowMajor = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) rowMajor[r * cols + j] = colMajor[j * padded + r];
  return { rowMajor, colMajor };
}

describe('cosine-max-tile kernel', () => {
  // A rows come in quads (4) and workgroups of 64 quads; B rows in strips of 4·STRIP.
  const S = 4 * COSINE_STRIP;
  for (const [rowsA, rowsB, cols] of [[1, 1, 3], [255, S + 1, 8], [257, S - 1, 5], [97, 2 * S + 3, 64], [6, 7, 1]]) {
    it(`per-strip/quad max and argmax both ways and the histogram match the reference for A [${rowsA}], B [${rowsB}], d = ${cols}`, async () => {
      const gpu = await testGpu();
      const a = unitRows(rowsA, cols, 3 + rowsA);
      const b = unitRows(rowsB, cols, 5 + rowsB);
      const bins = 16;
      const ta = gpu.upload(a.colMajor, [cols, Math.ceil(rowsA / 4) * 4]);
      const tb = gpu.upload(b.colMajor, [cols, Math.ceil(rowsB / 4) * 4]);
      const parts = {
        rowVal: gpu.empty([rowsA, stripsFor(rowsB)]),
        rowIdx: gpu.empty([rowsA, stripsFor(rowsB)], 'u32'),
        colVal: gpu.empty([rowsB, quadsFor(rowsA)]),
        colIdx: gpu.empty([rowsB, quadsFor(rowsA)], 'u32'),
        hist: gpu.upload(new Uint32Array(bins), [bins], 'u32'),
      };
      await cosineMaxTile(gpu, ta, tb, rowsA, rowsB, parts, bins);
      const ref = cosineMaxTileRef(a.rowMajor, b.rowMajor, rowsA, rowsB, cols, COSINE_STRIP, bins);
      expect(maxAbsError(await gpu.read(parts.rowVal), ref.rowVal)).toBeLessThanOrEqual(TOL.cosine);
      expect(maxAbsError(await gpu.read(parts.colVal), ref.colVal)).toBeLessThanOrEqual(TOL.cosine);
      // An argmax may differ from float64 only on a near-tie: the cosine it points at must equal the max.
      const rowIdx = new Uint32Array(await gpu.readBytes(parts.rowIdx));
      rowIdx.forEach((j, r) => {
        const i = Math.floor(r / stripsFor(rowsB));
        expect(Math.abs(ref.cos[i * rowsB + j] - ref.rowVal[r])).toBeLessThanOrEqual(TOL.cosine);
      });
      const colIdx = new Uint32Array(await gpu.readBytes(parts.colIdx));
      colIdx.forEach((i, c) => {
        const j = Math.floor(c / quadsFor(rowsA));
        expect(Math.abs(ref.cos[i * rowsB + j] - ref.colVal[c])).toBeLessThanOrEqual(TOL.cosine);
      });
      const hist = Array.from(new Uint32Array(await gpu.readBytes(parts.hist)));
      expect(hist.reduce((s, v) => s + v, 0)).toBe(rowsA * rowsB);
      // A cosine within f32 noise of a bin edge may land in the neighbouring bin.
      expect(maxAbsError(hist, ref.hist)).toBeLessThanOrEqual(1);
      gpu.release(ta, tb, parts.rowVal, parts.rowIdx, parts.colVal, parts.colIdx, parts.hist);
    });
  }
});
