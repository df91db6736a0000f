import { scaleBand, scaleLinear } from 'd3';
import type { Lens, LensTokenRow, ResultMetrics } from '../../formats/index.js';
import { linearTicks, type Margin, type Tick } from './axis-ticks.js';

/** 'all' = the lens of every text token; a number = the lens of that leading text position. */
export type LensPosition = 'all' | number;

/** A token as a label: its string with spaces and control characters made visible, or its id. */
export function tokenLabel(t: Pick<LensTokenRow, 'id' | 'token'>): string {
  if (t.token === null) return `#${t.id}`;
  const shown = t.token.replace(/ /g, '␣').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown === '' ? `#${t.id} (empty)` : shown;
}

/** The promoted and suppressed lists of one lens at one position, or null when not computed. */
export function lensSides(m: ResultMetrics, layer: number, adapter: string, position: LensPosition): Pick<Lens, 'promoted' | 'suppressed'> | null {
  const l = m.lens.find((x) => x.layer === layer && x.adapter === adapter);
  if (!l) return null;
  return position === 'all' ? l : (l.positions.find((p) => p.position === position) ?? null);
}

export interface LensBar {
  side: 'promoted' | 'suppressed';
  rank: number;
  id: number;
  z: number;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** where the label starts and which way it runs from there */
  labelX: number;
  anchor: 'start' | 'end';
}

export interface LensLayout {
  width: number;
  height: number;
  margin: Margin;
  innerW: number;
  innerH: number;
  /** x of z = 0 */
  zeroX: number;
  bars: LensBar[];
  xTicks: Tick[];
}

/** Room kept beside each bar's outer end for its token label. */
const LABEL_ROOM = 90;

/**
 * A diverging bar chart of one readout: row i holds the i-th most promoted token (right of zero) and the
 * i-th most suppressed (left), bar length z, labels at the bars' outer ends.
 */
export function lensLayout(sides: Pick<Lens, 'promoted' | 'suppressed'>, width: number, height: number, margin: Margin): LensLayout {
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const n = Math.max(sides.promoted.length, sides.suppressed.length, 1);
  const y = scaleBand<number>().domain([...Array(n).keys()]).range([0, innerH]).paddingInner(0.15);
  const extent = Math.max(1e-9, ...[...sides.promoted, ...sides.suppressed].map((t) => Math.abs(t.z)).filter(Number.isFinite));
  const room = Math.min(LABEL_ROOM, innerW / 4);
  const x = scaleLinear().domain([-extent, extent]).range([room, innerW - room]);
  const zeroX = x(0);
  const bars: LensBar[] = [];
  for (const side of ['promoted', 'suppressed'] as const) {
    sides[side].forEach((t, rank) => {
      if (!Number.isFinite(t.z)) return;
      const end = x(t.z);
      const outward = side === 'promoted' ? Math.max(end, zeroX) : Math.min(end, zeroX);
      bars.push({
        side,
        rank,
        id: t.id,
        z: t.z,
        label: tokenLabel(t),
        x: Math.min(end, zeroX),
        y: y(rank) ?? 0,
        w: Math.max(0.5, Math.abs(end - zeroX)),
        h: y.bandwidth(),
        labelX: side === 'promoted' ? outward + 4 : outward - 4,
        anchor: side === 'promoted' ? 'start' : 'end',
      });
    });
  }
  return { width, height, margin, innerW, innerH, zeroX, bars, xTicks: linearTicks(x, Math.max(2, Math.floor(innerW / 90))) };
}
