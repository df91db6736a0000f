import { scaleBand, scaleLinear } from 'd3';
import type { ResultMetrics } from '../../formats/index.js';
import { fmtTick, type Margin, type Tick } from './axis-ticks.js';
import type { MatrixInput } from './matrix-layout.js';

export const MODULE_ORDER = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

/** Adapters that have local writes, in the order they were published. */
export function localWriteAdapters(m: ResultMetrics): string[] {
  return [...new Set(m.localWrites.map((w) => w.adapter))];
}

/** Layers (rows, ascending) of one adapter's local-write heatmap: every layer the engine ran for it. */
export function localWriteLayers(m: ResultMetrics, adapter: string): number[] {
  return [...new Set(m.localWrites.filter((w) => w.adapter === adapter).map((w) => w.layer))].sort((a, b) => a - b);
}

/** A module's column label: its kind without the `_proj` every one carries (seven full names do not fit). */
export const moduleLabel = (module: string): string => module.replace(/_proj$/, '');

/** Layers × modules of one adapter: mean ‖scaling·B·A·x‖ per token; null where a module is not adapted. */
export function localWritesMatrix(m: ResultMetrics, adapter: string): MatrixInput {
  const rows = m.localWrites.filter((w) => w.adapter === adapter);
  const layers = localWriteLayers(m, adapter);
  const modules = MODULE_ORDER.filter((k) => rows.some((w) => w.module === k));
  const values = layers.map((l) => modules.map((k) => rows.find((w) => w.layer === l && w.module === k)?.meanNorm ?? null));
  const max = Math.max(0, ...rows.map((w) => w.meanNorm));
  return { rows: layers.map(String), cols: modules.map(moduleLabel), values, domain: [0, max > 0 ? max : 1], scheme: 'sequential' };
}

/** The resid_post delta norm of one adapter at each of `layers`; null where that layer is not hooked. */
export function residDeltaByLayer(m: ResultMetrics, adapter: string, layers: readonly number[]): (number | null)[] {
  return layers.map((l) => m.deltaNorms.find((d) => d.adapter === adapter && d.layer === l)?.meanDeltaNorm ?? null);
}

export interface LayerBar {
  row: number;
  y: number;
  h: number;
  w: number;
  value: number | null;
}

/** Horizontal bars on the same layer bands as a MatrixSvg of `rows` rows drawn with `margin` in `height`. */
export function layerBarsLayout(values: readonly (number | null)[], width: number, height: number, margin: Margin): { bars: LayerBar[]; xTicks: Tick[]; innerW: number; innerH: number } {
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const y = scaleBand<number>().domain(values.map((_, i) => i)).range([0, innerH]).paddingInner(0.04);
  const max = Math.max(0, ...values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const x = scaleLinear().domain([0, max > 0 ? max : 1]).range([0, innerW]).nice();
  const band = y.bandwidth();
  const bars = values.map((value, row) => ({ row, y: (y(row) ?? 0) + band * 0.2, h: band * 0.6, w: value === null ? 0 : x(value), value }));
  return { bars, xTicks: x.ticks(3).map((v) => ({ offset: x(v), label: fmtTick(v) })), innerW, innerH };
}
