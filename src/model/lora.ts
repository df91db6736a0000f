import { InputError } from '../errors/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config, type LoraAdapter, type ProjectionKind } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { loraAdd } from './kernels/lora-add.js';
import { projMatmul, type ProjWeight } from './kernels/proj-matmul.js';
import { view, type Workspace } from './workspace.js';

/** One adapted module of one adapter: y += scaling · (x Aᵀ) Bᵀ, unmerged. LoRA weights stay f32. */
export interface LoraWeights {
  module: string;
  r: number;
  scaling: number;
  /** A [r, in] */
  a: ProjWeight;
  /** B [out, r] */
  b: ProjWeight;
}

/** Per adapter (index = stream − 1), the modules it adapts in one layer. */
export type LayerLora = Map<ProjectionKind, LoraWeights>[];

/** Uploads every adapter's A and B of one layer. Modules an adapter lacks (layers_to_transform, target_modules) get no LoRA. */
export async function loadLayerLora(gpu: Gpu, adapters: readonly LoraAdapter[], config: Gemma2Config, layer: number): Promise<LayerLora> {
  const out: LayerLora = [];
  try {
    for (const adapter of adapters) {
      const mods = new Map<ProjectionKind, LoraWeights>();
      out.push(mods);
      for (const m of adapter.modules) {
        if (m.layer !== layer) continue;
        const [rows, cols] = projectionShape(config, m.kind);
        const a = await adapter.weights.readF32(m.aName);
        const b = await adapter.weights.readF32(m.bName);
        if (a.length !== m.r * cols || b.length !== rows * m.r) {
          throw new InputError(adapter.weights.fileName, `${m.module}: lora_A/lora_B hold ${a.length}/${b.length} values, expected [${m.r}, ${cols}] and [${rows}, ${m.r}]`);
        }
        mods.set(m.kind, {
          module: m.module,
          r: m.r,
          scaling: m.scaling,
          a: { format: 'f32', rows: m.r, cols, data: gpu.upload(a, [m.r, cols], 'f32', `${m.module}.lora_A`), scales: null },
          b: { format: 'f32', rows, cols: m.r, data: gpu.upload(b, [rows, m.r], 'f32', `${m.module}.lora_B`), scales: null },
        });
      }
    }
    return out;
  } catch (e) {
    releaseLayerLora(gpu, out);
    throw e;
  }
}

export function releaseLayerLora(gpu: Gpu, lora: LayerLora): void {
  for (const mods of lora) for (const w of mods.values()) gpu.release(w.a.data, w.b.data);
}

/** Where one (adapter, layer, module)'s per-token norms go in the norms buffer [adapters, layers, 7, tokens]. */
export function normSlot(adapter: number, layer: number, kind: ProjectionKind, layers: number): number {
  return (adapter * layers + layer) * PROJECTION_KINDS.length + PROJECTION_KINDS.indexOf(kind);
}

export interface LoraTarget {
  gpu: Gpu;
  ws: Workspace;
  /** tokens per stream */
  tokens: number;
  /** [adapters · layers · 7 · tokens] f32 */
  norms: GpuTensor;
  layers: number;
}

/**
 * Adds every adapter stream's LoRA output for one module: for adapter a (stream a+1),
 * y[a+1] += scaling · (x[a+1] Aᵀ) Bᵀ, and records ‖that output‖ per token.
 * @param x [streams · tokens, in]  @param y [streams · tokens, out]
 */
export async function applyLora(t: LoraTarget, lora: LayerLora, layer: number, kind: ProjectionKind, x: GpuTensor, y: GpuTensor): Promise<void> {
  for (let a = 0; a < lora.length; a++) {
    const w = lora[a].get(kind);
    if (!w) continue;
    const stream = a + 1;
    const u = t.ws.get('lora.u', [t.tokens, w.r]);
    await projMatmul(t.gpu, x, w.a, u, { m: t.tokens, xOffset: stream * t.tokens * w.a.cols });
    const d = t.ws.get('lora.d', [t.tokens, w.b.rows]);
    await projMatmul(t.gpu, u, w.b, d, { m: t.tokens, alpha: w.scaling });
    await loraAdd(t.gpu, view(d, [t.tokens, w.b.rows]), y, stream * t.tokens * w.b.rows, t.norms, normSlot(a, layer, kind, t.layers) * t.tokens);
  }
}
