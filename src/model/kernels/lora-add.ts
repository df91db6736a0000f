import { numel, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { rowThreads } from './rms-norm.js';
import source from './lora-add.wgsl?raw';

export const loraAddKernel = { name: 'model-lora-add', source };

/** u32 words per adapter in the meta table (see lora-add.wgsl). */
export const LORA_META_WORDS = 8;

/** One adapter's entry of the meta table. */
export interface LoraUpMeta {
  /** the stream whose output it adds to */
  stream: number;
  /** its first column in u */
  col0: number;
  r: number;
  /** where its lora_B [N, r] starts in the concatenated B */
  bOff: number;
  /** its row block in the norms buffer (norms[normSlot·T + t]) */
  normSlot: number;
  scale: number;
}

/** The meta table lora-add reads, as u32 words (scale as its f32 bits). */
export function packLoraMeta(entries: readonly LoraUpMeta[]): Uint32Array {
  const out = new Uint32Array(Math.max(1, entries.length) * LORA_META_WORDS);
  const f = new Float32Array(1);
  entries.forEach((e, i) => {
    f[0] = e.scale;
    out.set([e.stream, e.col0, e.r, e.bOff, e.normSlot, new Uint32Array(f.buffer)[0]], i * LORA_META_WORDS);
  });
  return out;
}

/**
 * For every adapter in `meta`: y[stream·T + t] += scale · u[t, col0 .. col0 + r] · Bᵀ and
 * norms[normSlot·T + t] = ‖that term‖₂, in one dispatch; wg = threads per (adapter, token).
 * @param u [T, R] f32  @param b concatenated lora_B f32  @param meta [adapters·8] u32  @param y [streams·T, N] f32
 */
export async function loraAdd(gpu: Gpu, u: GpuTensor, b: GpuTensor, meta: GpuTensor, adapters: number, y: GpuTensor, norms: GpuTensor, wg = rowThreads(gpu)): Promise<void> {
  const [T, R] = u.shape;
  const N = y.shape[1];
  if (y.shape.length !== 2 || y.shape[0] % T !== 0) throw new Error(`loraAdd: y [${y.shape.join(', ')}] is not [streams·${T}, N]`);
  if (numel(meta.shape) < adapters * LORA_META_WORDS) throw new Error(`loraAdd: meta holds ${numel(meta.shape)} words, needs ${adapters * LORA_META_WORDS}`);
  if (adapters === 0) return;
  await gpu.run(loraAddKernel, {
    params: packParams([{ u32: T }, { u32: N }, { u32: R }, { u32: adapters }]),
    buffers: [u, b, meta, y, norms],
    workgroups: adapters * T,
    overrides: { WG: wg },
  });
}
