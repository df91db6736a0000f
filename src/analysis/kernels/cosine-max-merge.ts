import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './cosine-max-merge.wgsl?raw';

export const cosineMaxMergeKernel = { name: 'cosine-max-merge', source };
const WG = 64;

export interface MergeTarget {
  /** [total rows] f32 / u32: running max and argmax */
  bestVal: GpuTensor;
  bestIdx: GpuTensor;
  /** where this chunk's rows start in best* */
  offset: number;
  /** added to the chunk-local argmax (the start of the other matrix's chunk) */
  indexOffset: number;
  /** overwrite instead of compare (the first chunk of the other matrix) */
  first: boolean;
}

/**
 * Folds per-tile maxima partVal/partIdx [rows, tiles] into the running maxima (see cosine-max-merge.wgsl).
 */
export async function cosineMaxMerge(gpu: Gpu, partVal: GpuTensor, partIdx: GpuTensor, target: MergeTarget): Promise<void> {
  expectShape('cosineMaxMerge: partVal', partVal, [-1, -1]);
  const [rows, tiles] = partVal.shape;
  expectShape('cosineMaxMerge: partIdx', partIdx, [rows, tiles]);
  const total = target.bestVal.shape[0];
  expectShape('cosineMaxMerge: bestIdx', target.bestIdx, [total]);
  if (target.offset + rows > total) throw new Error(`cosineMaxMerge: rows ${target.offset}..${target.offset + rows} exceed ${total}`);
  await gpu.run(cosineMaxMergeKernel, {
    params: packParams([{ u32: rows }, { u32: tiles }, { u32: target.offset }, { u32: target.indexOffset }, { u32: target.first ? 1 : 0 }]),
    buffers: [partVal, partIdx, target.bestVal, target.bestIdx],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG },
  });
}
