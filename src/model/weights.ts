import { GpuError, InputError } from '../errors/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config, type ProjectionKind, type SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { convertWeightRows, STORED_BYTES, type StoredDtype } from './kernels/convert-weights.js';
import { wordsPerRow, type ProjWeight, type WeightFormat } from './kernels/proj-matmul.js';
import { STAGING_SLOTS, stagingSlotBytes } from './memory.js';
import type { ModelDtype } from './types.js';
import { NORM_KINDS, normName, projectionName, type NormKind } from './weight-names.js';

/** One decoder layer's weights on the GPU. */
export interface LayerWeights {
  norms: Record<NormKind, GpuTensor>;
  proj: Record<ProjectionKind, ProjWeight>;
}

/**
 * Uploads weights as the checkpoint stores them (F32, BF16, F16) and converts them on the GPU
 * (convert-weights.wgsl: widening, f16 packing, q8/q4 exactly as quantize.ts). Tensors travel in chunks of
 * whole rows through a ring of STAGING_SLOTS GPU buffers of stagingSlotBytes(config) (≤ 8 MiB) each;
 * the host waits for the GPU once per turn of the ring. So the host holds at most one chunk that it read
 * plus the ring's worth of bytes queued for the GPU: ≤ (STAGING_SLOTS + 1) × 8 MiB = 40 MiB, whatever the
 * model size (norms, a few hidden-size vectors, are read whole). Each tensor is checked for NaN/Inf while it
 * is converted; check() names the first bad one.
 */
export class WeightUploader {
  private readonly slots: GpuTensor[] = [];
  private readonly flags: GpuTensor;
  private readonly flagNames: string[] = [];
  private readonly scratch: GpuTensor;
  private next = 0;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: SafetensorsCheckpoint,
    config: Gemma2Config,
  ) {
    this.flags = gpu.empty([PROJECTION_KINDS.length], 'u32', 'weights.nonfinite');
    this.scratch = gpu.empty([4], 'f32', 'weights.no-scales');
    const slotBytes = stagingSlotBytes(config);
    for (let i = 0; i < STAGING_SLOTS; i++) this.slots.push(gpu.empty([slotBytes / 4], 'u32', 'weights.staging'));
    gpu.write(this.flags, new Uint32Array(PROJECTION_KINDS.length));
  }

  private storedDtype(name: string): StoredDtype {
    const dtype = this.model.info(name).dtype;
    if (dtype !== 'F32' && dtype !== 'BF16' && dtype !== 'F16') throw new InputError(this.model.fileOf(name).fileName, `tensor ${name} has dtype ${dtype}, expected F32, F16 or BF16`);
    return dtype;
  }

  /** Rows [row0, row0 + rows) of a [*, cols] tensor, uploaded and converted to `format`. */
  async upload(name: string, row0: number, rows: number, cols: number, format: WeightFormat): Promise<ProjWeight> {
    const { gpu } = this;
    const srcDtype = this.storedDtype(name);
    if (this.flagNames.length === PROJECTION_KINDS.length) await this.check();
    const flag = this.flagNames.push(name) - 1;
    const quantized = format === 'q8' || format === 'q4';
    const data = gpu.empty([rows, format === 'f32' ? cols : wordsPerRow(format, cols)], format === 'f32' ? 'f32' : 'u32', `${name}${row0 ? `[${row0}:]` : ''}`);
    const scales = quantized ? gpu.empty([rows, Math.ceil(cols / 32)], 'f32', `${name}.scales`) : null;
    try {
      const rowBytes = cols * STORED_BYTES[srcDtype];
      const perChunk = Math.max(1, Math.floor(this.slots[0].shape[0] * 4 / rowBytes));
      for (let r = 0; r < rows; r += perChunk) {
        const n = Math.min(perChunk, rows - r);
        const bytes = await this.model.readRawRows(name, row0 + r, n);
        const slot = await this.nextSlot();
        const words = asWords(bytes);
        gpu.write(slot, words);
        const src: GpuTensor = { ...slot, shape: [words.length] };
        await convertWeightRows(gpu, src, data, scales ?? this.scratch, this.flags, { rows: n, cols, row0: r, srcDtype, format, flag });
        // submitted now, so the next write to this slot (queue-ordered after it) cannot overtake the conversion
        gpu.flush();
      }
    } catch (e) {
      gpu.release(data, scales);
      throw e;
    }
    return { format, rows, cols, data, scales };
  }

  /** The next ring slot; once per turn of the ring, waits until the GPU has consumed what was queued. */
  private async nextSlot(): Promise<GpuTensor> {
    if (this.next === this.slots.length) {
      await this.gpu.sync();
      this.next = 0;
    }
    return this.slots[this.next++];
  }

  /** Throws InputError naming the file and tensor if a weight converted since the last check is NaN or infinite. */
  async check(): Promise<void> {
    if (this.flagNames.length === 0) return;
    const flags = new Uint32Array(await this.gpu.readBytes(this.flags));
    const bad = this.flagNames.findIndex((_, i) => flags[i] !== 0);
    if (bad >= 0) {
      const name = this.flagNames[bad];
      throw new InputError(this.model.fileOf(name).fileName, `tensor ${name} holds NaN or infinite values`);
    }
    this.flagNames.length = 0;
    this.gpu.write(this.flags, new Uint32Array(PROJECTION_KINDS.length));
  }

  release(): void {
    this.gpu.release(...this.slots, this.flags, this.scratch);
  }
}

/** Bytes as u32 words (a view when aligned; a zero-padded copy for an odd number of 16-bit values). */
function asWords(bytes: Uint8Array<ArrayBuffer>): Uint32Array {
  if (bytes.length % 4 === 0 && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  return new Uint32Array(padded.buffer);
}

/** Reads one layer (projections in chunks through the uploader, never a whole tensor in JS memory) and uploads it. */
export async function loadLayerWeights(gpu: Gpu, model: SafetensorsCheckpoint, config: Gemma2Config, layer: number, dtype: ModelDtype): Promise<LayerWeights> {
  const uploaded: GpuTensor[] = [];
  const uploader = new WeightUploader(gpu, model, config);
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
      proj[kind] = await uploader.upload(projectionName(layer, kind), 0, rows, cols, dtype);
      uploaded.push(proj[kind].data);
      if (proj[kind].scales) uploaded.push(proj[kind].scales!);
    }
    await uploader.check();
    return { norms, proj };
  } catch (e) {
    gpu.release(...uploaded);
    throw e;
  } finally {
    uploader.release();
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
