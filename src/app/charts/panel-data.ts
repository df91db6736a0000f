import { schemeTableau10 } from 'd3';
import type { ResultMetrics } from '../../formats/index.js';

/** Adapters in display order: by rank, then name; names seen only in results come last. */
export function adapterOrder(m: ResultMetrics): string[] {
  const known = [...m.adapters].sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name)).map((a) => a.name);
  // Training curves also hold the random-LoRA control, which is not a column of the adapter panels.
  const seen = [...m.deltaNorms, ...m.reconstruction, ...m.alignment].map((r) => r.adapter);
  return [...new Set([...known, ...seen])];
}

/** Layers in ascending order: the configured ones plus any that appear in results. */
export function layerOrder(m: ResultMetrics): number[] {
  const seen = [...m.deltaNorms, ...m.reconstruction, ...m.alignment, ...m.training].map((r) => r.layer);
  return [...new Set([...m.layers, ...seen])].sort((a, b) => a - b);
}

export function adapterRank(m: ResultMetrics, adapter: string): number | null {
  return m.adapters.find((a) => a.name === adapter)?.rank ?? null;
}

/** A stable colour per adapter (its position in display order). */
export const CONTROL_COLORS = { ceiling: '#2b8a3e', floor: '#868e96', randomLora: '#e8590c', pretrained: '#862e9c' } as const;

/** A stable colour per adapter (its position in display order); controls outside the order get the control colour. */
export function adapterColor(m: ResultMetrics, adapter: string): string {
  const i = adapterOrder(m).indexOf(adapter);
  return i < 0 ? CONTROL_COLORS.randomLora : schemeTableau10[i % schemeTableau10.length];
}

/** Sort key that puts adapters in display order and anything else (controls) after them. */
export function adapterSortKey(m: ResultMetrics, adapter: string): number {
  const i = adapterOrder(m).indexOf(adapter);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** Layers that have rows in `rows`, ascending; all layers when none has any yet (the panel shows "waiting"). */
export function layersWith(m: ResultMetrics, rows: readonly { layer: number }[]): number[] {
  const have = [...new Set(rows.map((r) => r.layer))].sort((a, b) => a - b);
  return have.length ? have : layerOrder(m);
}
