import { GpuError } from '../errors/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config, type ProjectionKind, type SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import type { ProjWeight } from './kernels/proj-matmul.js';
import { packF16Rows, quantizeRows } from './quantize.js';
import type { ModelDtype } from './types.js';
import { NORM_KINDS, normName, projectionName, type NormKind } from './weight-names.js';

/** One decoder layer's weights on the GPU. */
export interface LayerWeights {
  norms: Record<NormKind, GpuTensor>;
  proj: Record<ProjectionKind, ProjWeight>;
}

/** Uploads W [rows, cols] in the requested precision; only the seven projections go through here. */
export function uploadProjection(gpu: Gpu, w: Float32Array, rows: number, cols: number, dtype: ModelDtype, label: string): ProjWeight {
  if (dtype === 'f32') return { format: 'f32', rows, cols, data: gpu.upload(w, [rows, cols], 'f32', label), scales: null };
  if (dtype === 'f16') {
    const words = packF16Rows(w, rows, cols);
    return { format: 'f16', rows, cols, data: gpu.upload(words, [rows, words.length / rows], 'u32', label), scales: null };
  }
  const p = quantizeRows(w, rows, cols, dtype === 'q8' ? 8 : 4);
  return {
    format: dtype,
    rows,
    cols,
    data: gpu.upload(p.words, [rows, p.wordsPerRow], 'u32', label),
    scales: gpu.upload(p.scales, [rows, Math.ceil(cols / 32)], 'f32', `${label}.scales`),
  };
}

/** Reads one layer tensor by tensor (never the whole model in JS memory) and uploads it. */
export async function loadLayerWeights(gpu: Gpu, model: SafetensorsCheckpoint, config: Gemma2Config, layer: number, dtype: ModelDtype): Promise<LayerWeights> {
  const uploaded: GpuTensor[] = [];
  try {
    const norms = {} as Record<NormKind, GpuTensor>;
    for (const kind of NORM_KINDS) {
      const w = await model.readF32(normName(layer, kind));
      norms[kind] = gpu.upload(w, [config.hiddenSize], 'f32', normName(layer, kind));
      uploaded.push(norms[kind]);
    }
    const proj = {} as Record<ProjectionKind, ProjWeight>;
    for (const kind of PROJECTION_KINDS) {
      const [rows, cols] = projectionShape(config, kind);
      const name = projectionName(layer, kind);
      proj[kind] = uploadProjection(gpu, await model.readF32(name), rows, cols, dtype, name);
      uploaded.push(proj[kind].data);
      if (proj[kind].scales) uploaded.push(proj[kind].scales!);
    }
    return { norms, proj };
  } catch (e) {
    gpu.release(...uploaded);
    throw e;
  }
}

export function releaseLayerWeights(gpu: Gpu, w: LayerWeights): void {
  gpu.release(...Object.values(w.norms));
  for (const p of Object.values(w.proj)) gpu.release(p.data, p.scales);
}

/** Runs `body` inside an out-of-memory error scope, turning an allocation failure into a GpuError. */
export async function withOomScope<T>(gpu: Gpu, what: string, body: () => Promise<T>): Promise<T> {
  gpu.device.pushErrorScope('out-of-memory');
  let result: T;
  try {
    result = await body();
  } finally {
    const err = await gpu.device.popErrorScope();
    if (err) throw new GpuError('gpu-out-of-memory', `${what}: the GPU ran out of memory (${err.message}); choose fewer layers, a smaller dtype (q8/q4) or fewer adapters`);
  }
  return result;
}
