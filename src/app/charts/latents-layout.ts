import { interpolateOranges, scaleLinear } from 'd3';
import type { LatentDashboard, LatentLabel, LatentSet, ResultMetrics } from '../../formats/index.js';
import { linearTicks, type Margin, type Tick } from './axis-ticks.js';
import { lensLayout, tokenLabel, type LensLayout } from './lens-layout.js';

/** Which latents the list shows: one (layer, adapter), optionally those whose nearest-pretrained cosine is in [lo, hi). */
export interface LatentQuery {
  layer: number;
  adapter: string;
  cosine?: [number, number];
}

/** One row of the latent list. */
export interface LatentRow {
  index: number;
  varianceShare: number;
  frequency: number;
  nearest: number | null;
  cosine: number | null;
  label: LatentLabel | null;
  dashboard: LatentDashboard | null;
}

export function latentSetOf(m: ResultMetrics, layer: number, adapter: string): LatentSet | null {
  return m.latents.find((s) => s.layer === layer && s.adapter === adapter) ?? null;
}

/** The label rule as lines of text, with the thresholds of this set (or why there is no label). */
export function labelRule(s: LatentSet): string[] {
  const t = s.thresholds;
  if (!t) return ['no label: the new/shared labels need a pretrained dictionary with both the random-LoRA and the seed-to-seed controls'];
  const lines = [`new: cosine < ${fmt(t.newBelow)} (upper end of the random-LoRA null's interval);`, `shared: cosine ≥ ${fmt(t.sharedAtLeast)} (lower end of the seed-to-seed ceiling's interval); between otherwise.`];
  if (t.sharedAtLeast <= t.newBelow) lines.push('Here the two intervals overlap, so no latent is between: every cosine not below the null counts as shared.');
  return lines;
}

const fmt = (v: number) => v.toPrecision(3);

/**
 * The list's rows: the set's latents sorted by variance share (largest first, ties by index), kept when
 * their cosine is in the query's range and the search text matches the index ("#12" or "12"), the label,
 * the nearest pretrained latent ("p34"), or a token of a dashboard's contexts or logit effect.
 */
export function latentRows(s: LatentSet, cosine: [number, number] | undefined, search: string): LatentRow[] {
  const dash = new Map(s.dashboards.map((d) => [d.index, d]));
  const q = search.trim().toLowerCase();
  const matches = (r: LatentRow): boolean => {
    if (!q) return true;
    const n = q.replace(/^#/, '');
    if (/^\d+$/.test(n)) return r.index === Number(n);
    if (/^p\d+$/.test(q)) return r.nearest === Number(q.slice(1));
    if (r.label === q) return true;
    const d = r.dashboard;
    if (!d) return false;
    const texts = [...d.contexts.flatMap((c) => c.tokens ?? []), ...d.promoted.map((t) => t.token ?? ''), ...d.suppressed.map((t) => t.token ?? '')];
    return texts.some((t) => t.toLowerCase().includes(q));
  };
  const rows: LatentRow[] = [];
  for (let i = 0; i < s.width; i++) {
    const c = s.cosine[i];
    if (cosine && (c === null || c < cosine[0] || c >= cosine[1])) continue;
    const r = { index: i, varianceShare: s.varianceShare[i], frequency: s.frequency[i], nearest: s.nearest[i], cosine: c, label: s.label[i], dashboard: dash.get(i) ?? null };
    if (matches(r)) rows.push(r);
  }
  return rows.sort((a, b) => b.varianceShare - a.varianceShare || a.index - b.index);
}

export interface ContextCell {
  position: number;
  id: number;
  label: string;
  act: number;
  x: number;
  w: number;
  fill: string;
  /** the top-activating token itself */
  peak: boolean;
}

export interface DashboardLayout {
  width: number;
  height: number;
  margin: Margin;
  innerW: number;
  contextsY: number;
  contexts: { rank: number; sequence: number; position: number; activation: number; y: number; h: number; cells: ContextCell[] }[];
  histY: number;
  histH: number;
  bars: { lo: number; hi: number; count: number; x: number; y: number; w: number; h: number }[];
  histTicks: Tick[];
  logitY: number;
  logits: LensLayout;
}

const ROW_H = 18;
const HIST_H = 90;
const LOGIT_ROW_H = 14;
/** Window width in cells (8 before, the token, 4 after). */
const WINDOW = 13;

/**
 * One latent's dashboard, stacked: its top contexts (one row of token cells each, shaded by the latent's
 * activation relative to its maximum), the histogram of its positive activations, and its logit effect as
 * diverging bars (the lens layout).
 */
export function dashboardLayout(d: LatentDashboard, width: number, margin: Margin): DashboardLayout {
  const innerW = Math.max(40, width - margin.left - margin.right);
  const contextsY = 0;
  const cellW = innerW / WINDOW;
  const max = d.maxActivation > 0 ? d.maxActivation : 1;
  const contexts = d.contexts.map((c, rank) => {
    const y = contextsY + rank * (ROW_H + 2);
    // the peak token sits in column 8 whatever the window's clipping at the sequence's start
    const offset = 8 - (c.position - c.start);
    const cells: ContextCell[] = c.ids.map((id, k) => ({
      position: c.start + k,
      id,
      label: tokenLabel({ id, token: c.tokens?.[k] ?? null }),
      act: c.acts[k],
      x: (offset + k) * cellW,
      w: cellW - 1,
      fill: c.acts[k] > 0 ? interpolateOranges(0.15 + 0.85 * Math.min(1, c.acts[k] / max)) : '#f8f9fa',
      peak: c.start + k === c.position,
    }));
    return { rank, sequence: c.sequence, position: c.position, activation: c.activation, y, h: ROW_H, cells };
  });
  const histY = contextsY + Math.max(1, d.contexts.length) * (ROW_H + 2) + 34;
  const edges = d.histogram.edges;
  const x = scaleLinear().domain([edges[0], edges[edges.length - 1] > edges[0] ? edges[edges.length - 1] : edges[0] + 1]).range([0, innerW]);
  const top = Math.max(1, ...d.histogram.counts);
  const y = scaleLinear().domain([0, top]).range([HIST_H, 0]);
  const bars = d.histogram.counts.map((count, i) => ({ lo: edges[i], hi: edges[i + 1], count, x: x(edges[i]), y: y(count), w: Math.max(0.5, x(edges[i + 1]) - x(edges[i]) - 1), h: HIST_H - y(count) }));
  const logitY = histY + HIST_H + 60;
  const rows = Math.max(d.promoted.length, d.suppressed.length, 1);
  const logitMargin: Margin = { top: 0, right: 0, bottom: 0, left: 0 };
  const logits = lensLayout(d, innerW, rows * LOGIT_ROW_H, logitMargin);
  const height = margin.top + logitY + rows * LOGIT_ROW_H + 40 + margin.bottom;
  return { width, height, margin, innerW, contextsY, contexts, histY, histH: HIST_H, bars, histTicks: linearTicks(x, Math.max(2, Math.floor(innerW / 90))), logitY, logits };
}
