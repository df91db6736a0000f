import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { paddedRows } from './normalize-rows.js';
import source from './cosine-max-tile.wgsl?raw';

export const cosineMaxTileKernel = { name: 'cosine-max-tile', source };
const WG = 64;
/** B quads per thread: a thread's A rows are reduced over 4·STRIP B rows in registers. */
export const COSINE_STRIP = 8;
export const MAX_HISTOGRAM_BINS = 256;

/** Partial maxima of one chunk pair (see cosine-max-tile.wgsl). */
export interface CosineTilePartials {
  /** [rowsA, stripsFor(rowsB)] f32 / u32 */
  rowVal: GpuTensor;
  rowIdx: GpuTensor;
  /** [rowsB, quadsFor(rowsA)] f32 / u32 */
  colVal: GpuTensor;
  colIdx: GpuTensor;
  /** [≥ bins] u32, accumulated into (not cleared) */
  hist: GpuTensor;
}

/** Partials per A row: one per strip of 4·STRIP B rows. */
export function stripsFor(rowsB: number): number {
  return Math.ceil(rowsB / (4 * COSINE_STRIP));
}

/** Partials per B row: one per quad of 4 A rows. */
export function quadsFor(rowsA: number): number {
  return Math.ceil(rowsA / 4);
}

/**
 * Max cosine per strip/quad both ways for unit rows stored column-major (see normalizeRowsTransposed).
 * @param aT [d, paddedRows(rowsA)] f32
 * @param bT [d, paddedRows(rowsB)] f32
 * @param bins histogram bins over [-1, 1] (0 = no histogram; at most 256)
 */
export async function cosineMaxTile(gpu: Gpu, aT: GpuTensor, bT: GpuTensor, rowsA: number, rowsB: number, out: CosineTilePartials, bins: number): Promise<void> {
  expectShape('cosineMaxTile: aT', aT, [-1, paddedRows(rowsA)]);
  const d = aT.shape[0];
  expectShape('cosineMaxTile: bT', bT, [d, paddedRows(rowsB)]);
  if (rowsA < 1 || rowsB < 1 || d < 1) throw new Error(`cosineMaxTile: empty input [${rowsA}] × [${rowsB}] at d = ${d}`);
  if (!Number.isInteger(bins) || bins < 0 || bins > MAX_HISTOGRAM_BINS) throw new Error(`cosineMaxTile: bins ${bins} must be 0..${MAX_HISTOGRAM_BINS}`);
  const strips = stripsFor(rowsB);
  const quadsA = quadsFor(rowsA);
  expectShape('cosineMaxTile: rowVal', out.rowVal, [rowsA, strips]);
  expectShape('cosineMaxTile: rowIdx', out.rowIdx, [rowsA, strips]);
  expectShape('cosineMaxTile: colVal', out.colVal, [rowsB, quadsA]);
  expectShape('cosineMaxTile: colIdx', out.colIdx, [rowsB, quadsA]);
  if (out.hist.shape[0] < Math.max(1, bins)) throw new Error(`cosineMaxTile: hist holds ${out.hist.shape[0]} bins, need ${bins}`);
  const grid: [number, number, number] = [Math.ceil(quadsA / WG), strips, 1];
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (grid[1] > maxDim) throw new Error(`cosineMaxTile: ${strips} strips exceed ${maxDim} workgroups per dimension; use smaller chunks`);
  await gpu.run(cosineMaxTileKernel, {
    params: packParams([{ u32: rowsA }, { u32: rowsB }, { u32: d }, { u32: quadsA }, { u32: quadsFor(rowsB) }, { u32: strips }, { u32: bins }]),
    buffers: [aT, bT, out.rowVal, out.rowIdx, out.colVal, out.colIdx, out.hist],
    workgroups: grid,
    overrides: { WG, STRIP: COSINE_STRIP },
  });
}
