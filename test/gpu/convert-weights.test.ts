import { describe, expect, it } from 'vitest';
import { convertWeightRows, type StoredDtype } from '../../src/model/kernels/convert-weights.js';
import { wordsPerRow } from '../../src/model/kernels/proj-matmul.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { convertedRef, storeAs } from '../ref/convert-weights.js';

const FORMATS = ['f32', 'f16', 'q8', 'q4'] as const;

/** Weights with what breaks a sloppy quantiser: exact ties (s = 1), an all-zero run, subnormals, a wide range. */
function awkwardWeights(rows: number, cols: number, seed: number): Float32Array {
  const w = randomArray(rows * cols, seed).map((v, i) => v * 2 ** ((i % 13) - 6));
  if (cols >= 4) w.set([127, 2.5, -3.5, 0.5], 0);
  if (rows > 1) w.fill(0, cols, cols + Math.min(32, cols));
  if (rows > 2) for (let c = 0; c < Math.min(32, cols); c++) w[2 * cols + c] = (c - 16) * 1e-39;
  if (rows > 3 && cols >= 8) w.set([7, 0.5, 1.5, -2.5, 6.5, -6.5, 3.5, 4.5], 3 * cols);
  return w;
}

async function words(gpu: Awaited<ReturnType<typeof testGpu>>, t: Parameters<typeof gpu.readBytes>[0]): Promise<Uint32Array> {
  return new Uint32Array(await gpu.readBytes(t));
}

describe('convert-weights kernel: stored F32/BF16/F16 → f32/f16/q8/q4, bit-identical to quantize.ts', () => {
  for (const [rows, cols] of [[1, 1], [3, 33], [5, 67], [4, 64], [9, 100], [33, 257]] as const) {
    for (const dtype of ['F32', 'BF16', 'F16'] as StoredDtype[]) {
      it(`[${rows}, ${cols}] ${dtype}, converted in two chunks of rows`, async () => {
        const gpu = await testGpu();
        const { bytes, values } = storeAs(awkwardWeights(rows, cols, rows * 1000 + cols), dtype);
        const rowBytes = bytes.length / rows;
        const split = Math.ceil(rows / 2);
        const flags = gpu.upload(new Uint32Array(4), [4], 'u32', 'flags');
        for (const format of FORMATS) {
          const ref = convertedRef(values, rows, cols, format);
          const dst = gpu.empty([rows, format === 'f32' ? cols : wordsPerRow(format, cols)], 'u32', 'dst');
          const scales = gpu.empty([rows, Math.ceil(cols / 32)], 'f32', 'scales');
          for (const [r0, r1] of [[0, split], [split, rows]]) {
            if (r1 === r0) continue;
            const chunk = bytes.slice(r0 * rowBytes, r1 * rowBytes);
            const padded = new Uint8Array(Math.ceil(chunk.length / 4) * 4);
            padded.set(chunk);
            const src = gpu.upload(new Uint32Array(padded.buffer), [padded.length / 4], 'u32', 'src');
            await convertWeightRows(gpu, src, dst, scales, flags, { rows: r1 - r0, cols, row0: r0, srcDtype: dtype, format, flag: 1 });
            gpu.release(src);
          }
          expect(await words(gpu, dst), `${format} codes`).toEqual(ref.words);
          if (ref.scales) expect(new Float32Array(await gpu.readBytes(scales)), `${format} scales`).toEqual(ref.scales);
          gpu.release(dst, scales);
        }
        expect([...(await words(gpu, flags))], 'no NaN/Inf flagged').toEqual([0, 0, 0, 0]);
        gpu.release(flags);
      });
    }
  }

  it('flags a NaN or an infinity in its tensor slot, for every stored dtype and format', async () => {
    const gpu = await testGpu();
    const [rows, cols] = [3, 40];
    for (const dtype of ['F32', 'BF16', 'F16'] as StoredDtype[]) {
      for (const [f, format] of FORMATS.entries()) {
        const w = randomArray(rows * cols, 7);
        w[2 * cols + 39] = f % 2 ? -Infinity : NaN;
        const { bytes } = storeAs(w, dtype);
        const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
        padded.set(bytes);
        const src = gpu.upload(new Uint32Array(padded.buffer), [padded.length / 4], 'u32', 'src');
        const dst = gpu.empty([rows, cols], 'u32', 'dst');
        const scales = gpu.empty([rows, 2], 'f32', 'scales');
        const flags = gpu.upload(new Uint32Array(4), [4], 'u32', 'flags');
        await convertWeightRows(gpu, src, dst, scales, flags, { rows, cols, row0: 0, srcDtype: dtype, format, flag: 2 });
        const got = [...(await words(gpu, flags))];
        expect(got.map((v) => v !== 0), `${dtype} → ${format}`).toEqual([false, false, true, false]);
        gpu.release(src, dst, scales, flags);
      }
    }
  });
});
