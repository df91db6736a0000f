import { InputError } from '../errors/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config, type LoraAdapter, type ProjectionKind } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { loraAdd, packLoraMeta, type LoraUpMeta } from './kernels/lora-add.js';
import { loraDown } from './kernels/lora-down.js';
import type { Workspace } from './workspace.js';

/**
 * Every adapter's LoRA of one projection in one layer, stacked so that all adapters' terms
 * y[a+1] += scaling_a · (x[a+1] A_aᵀ) B_aᵀ cost two dispatches, not three per adapter. Unmerged, f32.
 */
export interface LoraStack {
  /** adapters that adapt this projection */
  adapters: number;
  /** Σ r over them */
  rank: number;
  /** [rank, in] f32: the lora_A matrices stacked row-wise */
  a: GpuTensor;
  /** [rank] u32: the stream each stacked row reads */
  stream: GpuTensor;
  /** Σ out·r f32: the lora_B [out, r] matrices concatenated */
  b: GpuTensor;
  /** [adapters·8] u32: per adapter stream, first column, r, B offset, norm slot, scaling (lora-add.wgsl) */
  meta: GpuTensor;
}

/** Per projection kind, the stacked LoRA of one layer (kinds no adapter adapts are absent). */
export type LayerLora = Map<ProjectionKind, LoraStack>;

/** Where one (adapter, layer, module)'s per-token norms go in the norms buffer [adapters, layers, 7, tokens]. */
export function normSlot(adapter: number, layer: number, kind: ProjectionKind, layers: number): number {
  return (adapter * layers + layer) * PROJECTION_KINDS.length + PROJECTION_KINDS.indexOf(kind);
}

/**
 * Reads and stacks every adapter's A and B of one layer. Modules an adapter lacks (layers_to_transform,
 * target_modules) get no LoRA. `layers` is the number of layers the engine runs (for the norm slots).
 */
export async function loadLayerLora(gpu: Gpu, adapters: readonly LoraAdapter[], config: Gemma2Config, layer: number, layers: number): Promise<LayerLora> {
  const out: LayerLora = new Map();
  try {
    for (const kind of PROJECTION_KINDS) {
      const [rows, cols] = projectionShape(config, kind);
      const as: Float32Array[] = [];
      const bs: Float32Array[] = [];
      const streams: number[] = [];
      const meta: LoraUpMeta[] = [];
      let rank = 0;
      let bOff = 0;
      for (const [ai, adapter] of adapters.entries()) {
        const m = adapter.modules.find((mm) => mm.layer === layer && mm.kind === kind);
        if (!m) continue;
        const a = await adapter.weights.readF32(m.aName);
        const b = await adapter.weights.readF32(m.bName);
        if (a.length !== m.r * cols || b.length !== rows * m.r) {
          throw new InputError(adapter.weights.fileName, `${m.module}: lora_A/lora_B hold ${a.length}/${b.length} values, expected [${m.r}, ${cols}] and [${rows}, ${m.r}]`);
        }
        as.push(a);
        bs.push(b);
        for (let q = 0; q < m.r; q++) streams.push(ai + 1);
        meta.push({ stream: ai + 1, col0: rank, r: m.r, bOff, normSlot: normSlot(ai, layer, kind, layers), scale: m.scaling });
        rank += m.r;
        bOff += b.length;
      }
      if (meta.length === 0) continue;
      const label = `layers.${layer}.${kind}.lora`;
      out.set(kind, {
        adapters: meta.length,
        rank,
        a: gpu.upload(concat(as), [rank, cols], 'f32', `${label}_A`),
        stream: gpu.upload(Uint32Array.from(streams), [rank], 'u32', `${label}.streams`),
        b: gpu.upload(concat(bs), [bOff], 'f32', `${label}_B`),
        meta: gpu.upload(packLoraMeta(meta), [meta.length * 8], 'u32', `${label}.meta`),
      });
    }
    return out;
  } catch (e) {
    releaseLayerLora(gpu, out);
    throw e;
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function releaseLayerLora(gpu: Gpu, lora: LayerLora): void {
  for (const s of lora.values()) gpu.release(s.a, s.stream, s.b, s.meta);
}

export interface LoraTarget {
  gpu: Gpu;
  ws: Workspace;
  /** tokens per stream */
  tokens: number;
  /** [adapters · layers · 7 · tokens] f32 */
  norms: GpuTensor;
}

/**
 * Adds every adapter stream's LoRA output for one module, y[a+1] += scaling_a · (x[a+1] A_aᵀ) B_aᵀ, and
 * records ‖that output‖ per token: one dispatch for all down-projections, one for all up-projections and adds.
 * @param x [streams · tokens, in]  @param y [streams · tokens, out]
 */
export async function applyLora(t: LoraTarget, lora: LayerLora, kind: ProjectionKind, x: GpuTensor, y: GpuTensor): Promise<void> {
  const s = lora.get(kind);
  if (!s) return;
  const u = t.ws.get('lora.u', [t.tokens, s.rank]);
  await loraDown(t.gpu, x, s.a, s.stream, u);
  await loraAdd(t.gpu, u, s.b, s.meta, s.adapters, y, t.norms);
}
