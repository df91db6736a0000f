import { throwIfAborted } from '../../errors/index.js';
import type { Gpu, GpuTensor } from '../../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import { COSINE_STRIP, MAX_HISTOGRAM_BINS, cosineMaxTile, quadsFor, stripsFor } from '../kernels/cosine-max-tile.js';
import { cosineMaxMerge } from '../kernels/cosine-max-merge.js';
import { normalizeRowsTransposed, paddedRows } from '../kernels/normalize-rows.js';
import { readRows, withShape, type RowMatrix } from './row-source.js';

export interface GpuMaxCosineOptions {
  /** bins over [-1, 1] for the histogram of every pairwise cosine (0 = none, at most 256) */
  histogramBins?: number;
  /** largest chunk of rows per side (default 4096; smaller when the device's binding limit demands) */
  chunkRows?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Max cosine and first argmax both ways, from the GPU (f32 cosines). */
export interface GpuMaxCosine {
  maxCosA: Float32Array;
  argmaxA: Int32Array;
  maxCosB: Float32Array;
  argmaxB: Int32Array;
  cosineHistogram?: number[];
  /** rows per chunk actually used (A side, B side) */
  chunkRows: [number, number];
}

/** Chunk sizes that keep every tensor (inputs and per-tile partials) within one storage binding. */
export function planCosineChunks(rowsA: number, rowsB: number, cols: number, limitBytes: number, cap = 4096): [number, number] {
  const rowBytes = cols * 4;
  // Whole tiles (multiples of 4 rows) so padded transposed chunks stay within the limit too.
  const fit = Math.floor(limitBytes / rowBytes) - 4;
  if (fit < 1) throw new Error(`one decoder row of ${cols} values exceeds the storage binding limit of ${limitBytes} bytes`);
  const unit = 4 * COSINE_STRIP;
  const align = (n: number) => (n > unit ? n - (n % unit) : n);
  let ca = align(Math.min(rowsA, fit, cap));
  let cb = align(Math.min(rowsB, fit, cap));
  while (ca * stripsFor(cb) * 4 > limitBytes || cb * quadsFor(ca) * 4 > limitBytes) {
    if (ca >= cb) ca = align(Math.ceil(ca / 2));
    else cb = align(Math.ceil(cb / 2));
  }
  return [ca, cb];
}

/**
 * Decoder geometry on the GPU: for A [m1, d] and B [m2, d], the max cosine of every row against the other
 * decoder and its first argmax, both ways, plus an optional histogram of all m1·m2 cosines. The cosine
 * matrix is never stored: row chunks of A × row chunks of B are reduced per tile on the GPU and folded into
 * running maxima, so 16k × 131k rows at d = 3584 fit any device's binding limit.
 */
export async function maxCosineGpu(gpu: Gpu, a: RowMatrix, b: RowMatrix, options: GpuMaxCosineOptions = {}): Promise<GpuMaxCosine> {
  if (a.cols !== b.cols) throw new Error(`decoders have different widths: A has ${a.cols} columns, B has ${b.cols}`);
  if (a.rows < 1 || b.rows < 1) throw new Error('decoders must have at least one row');
  const bins = options.histogramBins ?? 0;
  if (!Number.isInteger(bins) || bins < 0 || bins > MAX_HISTOGRAM_BINS) throw new Error(`histogramBins ${bins} must be 0..${MAX_HISTOGRAM_BINS}`);
  const d = a.cols;
  const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  const [ca, cb] = planCosineChunks(a.rows, b.rows, d, limit, options.chunkRows);
  const bResident = cb >= b.rows;
  const owned: GpuTensor[] = [];
  const alloc = (shape: number[], dtype: 'f32' | 'u32', label: string) => {
    const t = gpu.empty(shape, dtype, label);
    owned.push(t);
    return t;
  };
  try {
    const rawA = alloc([ca, d], 'f32', 'maxcos.rawA');
    const unitA = alloc([d, paddedRows(ca)], 'f32', 'maxcos.unitA');
    const rawB = alloc([cb, d], 'f32', 'maxcos.rawB');
    const unitB = alloc([d, paddedRows(cb)], 'f32', 'maxcos.unitB');
    const rowVal = alloc([ca, stripsFor(cb)], 'f32', 'maxcos.rowVal');
    const rowIdx = alloc([ca, stripsFor(cb)], 'u32', 'maxcos.rowIdx');
    const colVal = alloc([cb, quadsFor(ca)], 'f32', 'maxcos.colVal');
    const colIdx = alloc([cb, quadsFor(ca)], 'u32', 'maxcos.colIdx');
    const hist = alloc([Math.max(1, bins)], 'u32', 'maxcos.hist');
    const bestValA = alloc([a.rows], 'f32', 'maxcos.bestA');
    const bestIdxA = alloc([a.rows], 'u32', 'maxcos.argA');
    const bestValB = alloc([b.rows], 'f32', 'maxcos.bestB');
    const bestIdxB = alloc([b.rows], 'u32', 'maxcos.argB');
    const histogram = new Float64Array(bins);
    if (bins) gpu.write(hist, new Uint32Array(bins));

    const loadB = async (start: number, rows: number) => {
      gpu.write(rawB, await readRows(b, start, rows));
      await normalizeRowsTransposed(gpu, withShape(rawB, [rows, d]), withShape(unitB, [d, paddedRows(rows)]));
    };
    if (bResident) await loadB(0, b.rows);
    const progress = progressReporter('compare', a.rows * b.rows, options.onProgress);
    let done = 0;
    for (let a0 = 0; a0 < a.rows; a0 += ca) {
      const rowsA = Math.min(ca, a.rows - a0);
      throwIfAborted(options.signal, 'decoder comparison');
      gpu.write(rawA, await readRows(a, a0, rowsA));
      const unitAChunk = withShape(unitA, [d, paddedRows(rowsA)]);
      await normalizeRowsTransposed(gpu, withShape(rawA, [rowsA, d]), unitAChunk);
      for (let b0 = 0; b0 < b.rows; b0 += cb) {
        const rowsB = Math.min(cb, b.rows - b0);
        if (!bResident) await loadB(b0, rowsB);
        const parts = {
          rowVal: withShape(rowVal, [rowsA, stripsFor(rowsB)]),
          rowIdx: withShape(rowIdx, [rowsA, stripsFor(rowsB)]),
          colVal: withShape(colVal, [rowsB, quadsFor(rowsA)]),
          colIdx: withShape(colIdx, [rowsB, quadsFor(rowsA)]),
          hist,
        };
        await cosineMaxTile(gpu, unitAChunk, withShape(unitB, [d, paddedRows(rowsB)]), rowsA, rowsB, parts, bins);
        await cosineMaxMerge(gpu, parts.rowVal, parts.rowIdx, { bestVal: bestValA, bestIdx: bestIdxA, offset: a0, indexOffset: b0, first: b0 === 0 });
        await cosineMaxMerge(gpu, parts.colVal, parts.colIdx, { bestVal: bestValB, bestIdx: bestIdxB, offset: b0, indexOffset: a0, first: a0 === 0 });
        // The next chunk is written into the same buffers: everything recorded so far must run first.
        await gpu.sync();
        done += rowsA * rowsB;
        progress.update(done);
        throwIfAborted(options.signal, 'decoder comparison');
      }
      if (bins) {
        // Per A chunk, so u32 counts cannot overflow on huge decoders.
        const counts = new Uint32Array(await gpu.readBytes(hist, bins * 4));
        counts.forEach((c, i) => (histogram[i] += c));
        gpu.write(hist, new Uint32Array(bins));
      }
    }
    progress.finish(done);
    const result: GpuMaxCosine = {
      maxCosA: await gpu.read(bestValA),
      argmaxA: new Int32Array(await gpu.readBytes(bestIdxA)),
      maxCosB: await gpu.read(bestValB),
      argmaxB: new Int32Array(await gpu.readBytes(bestIdxB)),
      chunkRows: [ca, cb],
    };
    if (bins) result.cosineHistogram = Array.from(histogram);
    return result;
  } finally {
    gpu.release(...owned);
  }
}
