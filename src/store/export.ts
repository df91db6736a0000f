import { writeNpy, writeSafetensors, type TensorToWrite } from '../formats/index.js';
import type { ActivationStore } from './activation-store.js';
import { BASE_STREAM, ftStream, type StreamName } from './keys.js';
import type { RunManifest } from './manifest.js';
import { summarizeMoments } from './stats.js';

/** A stored stream as one file: `.npy` or a single-tensor safetensors, f32 [sequences, positions, hidden], BOS included. */
export async function exportStoredTensor(store: ActivationStore, runId: string, layer: number, stream: StreamName, format: 'npy' | 'safetensors'): Promise<Uint8Array> {
  const m = await store.manifest(runId);
  const data = await store.readTensor(runId, layer, stream);
  const shape = [m.numSequences, m.seqLen, m.hidden];
  if (format === 'npy') return writeNpy(data, shape);
  return writeSafetensors({ [tensorName(layer, stream)]: { dtype: 'F32', shape, data } }, { run: runId });
}

/** Names of the CLI's activations.safetensors: delta.<adapter>.<layer>, base.<layer>, ft.<adapter>.<layer>. */
export function tensorName(layer: number, stream: StreamName): string {
  if (stream === BASE_STREAM) return `base.${layer}`;
  if (stream.startsWith('@ft/')) return `ft.${stream.slice(4)}.${layer}`;
  return `delta.${stream}.${layer}`;
}

/** Per layer × adapter mean token norms as the CLI's stats.json reports them. */
export interface ActivationStatsJson {
  layers: number[];
  adapters: string[];
  tokens: number;
  /** [adapter][layer] mean ‖delta‖ over all non-padding positions (BOS included, the fixtures' heatmap). */
  mean_delta_norm: number[][];
  /** [adapter][layer] the same without BOS positions. */
  mean_delta_norm_excluding_bos: number[][];
  /** [layer] mean ‖base resid_post‖ over text tokens; null when base activations were not measured. */
  mean_base_norm: (number | null)[];
}

export function statsJson(m: RunManifest): ActivationStatsJson {
  const adapters = m.adapters.map((a) => a.name);
  const per = (f: (l: number, a: string) => number) => adapters.map((a) => m.layers.map((l) => f(l, a)));
  return {
    layers: m.layers,
    adapters,
    tokens: m.numSequences * m.seqLen,
    mean_delta_norm: per((l, a) => summarizeMoments(m.stats[String(l)].delta[a]).meanNormWithBos),
    mean_delta_norm_excluding_bos: per((l, a) => summarizeMoments(m.stats[String(l)].delta[a]).meanNorm),
    mean_base_norm: m.layers.map((l) => (m.stats[String(l)].base.count > 0 ? summarizeMoments(m.stats[String(l)].base).meanNorm : null)),
  };
}

/**
 * A complete run as the CLI `extract` writes it: one activations.safetensors holding every stored stream
 * (deltas, and base/ft when the run saved them) as f32, plus stats.json.
 */
export async function exportActivations(store: ActivationStore, runId: string): Promise<{ safetensors: Uint8Array; stats: ActivationStatsJson }> {
  const m = await store.manifest(runId);
  const shape = [m.numSequences, m.seqLen, m.hidden];
  const tensors: Record<string, TensorToWrite> = {};
  for (const l of m.layers) {
    for (const a of m.adapters) tensors[tensorName(l, a.name)] = { dtype: 'F32', shape, data: await store.readTensor(runId, l, a.name) };
    if (m.saveBase) {
      tensors[tensorName(l, BASE_STREAM)] = { dtype: 'F32', shape, data: await store.readTensor(runId, l, BASE_STREAM) };
      for (const a of m.adapters) tensors[tensorName(l, ftStream(a.name))] = { dtype: 'F32', shape, data: await store.readTensor(runId, l, ftStream(a.name)) };
    }
  }
  return { safetensors: writeSafetensors(tensors, { run: runId, storage_dtype: m.dtype }), stats: statsJson(m) };
}
