import type { Gpu } from '../gpu.js';
import { packParams } from '../params.js';
import { numel, shapeString, type GpuTensor } from '../tensor.js';
import source from './copy-region.wgsl?raw';

export const copyRegionKernel = { name: 'copy-region', source };
const WG_X = 64;
const WG_Y = 4;

/** A [rows, cols] block inside a flat f32 tensor: element (r, c) at offset + r·stride + c. */
export interface Region {
  offset: number;
  /** elements between the starts of consecutive rows (defaults to cols) */
  stride?: number;
}

/**
 * dst[dstAt + r·dstStride + c] = src[srcAt + r·srcStride + c] for a [rows, cols] block, inside the compute
 * pass and at any element offset (a slice of rows, a column block such as one head, an offset copy).
 * rows = 1 is a plain copy of `cols` elements with offsets.
 */
export async function copyRegion(gpu: Gpu, src: GpuTensor, srcAt: Region, dst: GpuTensor, dstAt: Region, rows: number, cols: number): Promise<GpuTensor> {
  if (src.buffer === dst.buffer) throw new Error('copyRegion: src and dst must be different buffers');
  if (rows === 0 || cols === 0) return dst;
  const sStride = srcAt.stride ?? cols;
  const dStride = dstAt.stride ?? cols;
  const sEnd = srcAt.offset + (rows - 1) * sStride + cols;
  const dEnd = dstAt.offset + (rows - 1) * dStride + cols;
  if (sEnd > numel(src.shape)) throw new Error(`copyRegion: block ends at element ${sEnd}, src ${shapeString(src.shape)} is smaller`);
  if (dEnd > numel(dst.shape)) throw new Error(`copyRegion: block ends at element ${dEnd}, dst ${shapeString(dst.shape)} is smaller`);
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const workgroups: [number, number, number] = [Math.ceil(cols / WG_X), Math.ceil(rows / WG_Y), 1];
  if (workgroups[1] > maxDim || workgroups[0] > maxDim) throw new Error(`copyRegion: [${rows}, ${cols}] needs more than ${maxDim} workgroups per dimension`);
  await gpu.run(copyRegionKernel, {
    params: packParams([{ u32: rows }, { u32: cols }, { u32: srcAt.offset }, { u32: sStride }, { u32: dstAt.offset }, { u32: dStride }]),
    buffers: [src, dst],
    workgroups,
    overrides: { WG_X, WG_Y },
  });
  return dst;
}
