import { format } from 'd3';

/** One axis tick, already placed: `offset` in pixels along the axis. */
export interface Tick {
  offset: number;
  label: string;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const DEFAULT_MARGIN: Margin = { top: 12, right: 16, bottom: 40, left: 56 };

/** Short labels for axis ticks: 3 significant digits, SI suffixes for large values. */
export const fmtTick = (v: number): string => (Math.abs(v) >= 1e4 ? format('.2~s')(v) : format('.3~g')(v));

/** Exact values for tooltips and tables. */
export const fmtExact = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : format('.6~g')(v));

interface ContinuousScale {
  (v: number): number;
  ticks(count?: number): number[];
}

export function linearTicks(scale: ContinuousScale, count: number, label: (v: number) => string = fmtTick): Tick[] {
  return scale.ticks(count).map((v) => ({ offset: scale(v), label: label(v) }));
}

/** Ticks at whole powers of ten for a scale whose domain is already log10 units. */
export function log10Ticks(scale: ContinuousScale, count: number): Tick[] {
  const ticks = scale.ticks(count).filter((v) => Number.isInteger(v));
  return ticks.map((v) => ({ offset: scale(v), label: v === 0 ? '1' : `1e${v}` }));
}
