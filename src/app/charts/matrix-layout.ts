import { interpolateRdBu, interpolateViridis, rgb, scaleBand, scaleLinear } from 'd3';
import { fmtExact, fmtTick, type Margin, type Tick } from './axis-ticks.js';

/** A labelled matrix; `null` cells are not yet computed (drawn hatched, so live panels fill in). */
export interface MatrixInput {
  rows: string[];
  cols: string[];
  values: (number | null)[][];
  /** Colour domain; defaults to [min, max] of the values (diverging: symmetric about 0). */
  domain?: [number, number];
  scheme: 'sequential' | 'diverging';
}

export interface MatrixCell {
  row: number;
  col: number;
  x: number;
  y: number;
  w: number;
  h: number;
  value: number | null;
  fill: string;
  text: string;
  textFill: string;
}

export interface MatrixLayout {
  width: number;
  height: number;
  margin: Margin;
  cells: MatrixCell[];
  xTicks: Tick[];
  yTicks: Tick[];
  legend: { x: number; y: number; w: number; h: number; stops: { offset: number; color: string }[]; ticks: Tick[] };
}

const EMPTY_FILL = '#f1f3f5';

/** Places a matrix in a width × height box: band scales per axis, a colour per cell, a legend bar on the right. */
export function matrixLayout(input: MatrixInput, width: number, height: number, margin: Margin): MatrixLayout {
  const legendW = 12;
  const legendGap = 56;
  const innerW = Math.max(10, width - margin.left - margin.right - legendW - legendGap);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const x = scaleBand<number>().domain(input.cols.map((_, i) => i)).range([0, innerW]).paddingInner(0.04);
  const y = scaleBand<number>().domain(input.rows.map((_, i) => i)).range([0, innerH]).paddingInner(0.04);
  const finite = input.values.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  let [lo, hi] = input.domain ?? [Math.min(...finite), Math.max(...finite)];
  if (!finite.length && !input.domain) [lo, hi] = [0, 1];
  if (input.scheme === 'diverging' && !input.domain) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    [lo, hi] = [-m, m];
  }
  if (hi === lo) hi = lo + 1;
  const t = scaleLinear().domain([lo, hi]).range([0, 1]).clamp(true);
  const color = (v: number): string => (input.scheme === 'diverging' ? interpolateRdBu(1 - t(v)) : interpolateViridis(t(v)));

  const cells: MatrixCell[] = [];
  input.rows.forEach((_, r) =>
    input.cols.forEach((_, c) => {
      const value = input.values[r]?.[c] ?? null;
      const fill = value === null ? EMPTY_FILL : color(value);
      const { r: R, g: G, b: B } = rgb(fill);
      const luminance = (0.299 * R + 0.587 * G + 0.114 * B) / 255;
      cells.push({
        row: r,
        col: c,
        x: x(c) ?? 0,
        y: y(r) ?? 0,
        w: x.bandwidth(),
        h: y.bandwidth(),
        value,
        fill,
        text: value === null ? '' : fmtTick(value),
        textFill: luminance > 0.55 ? '#111' : '#fff',
      });
    }),
  );
  const lx = innerW + legendGap / 2;
  const ly = scaleLinear().domain([lo, hi]).range([innerH, 0]);
  return {
    width,
    height,
    margin,
    cells,
    xTicks: input.cols.map((label, i) => ({ offset: (x(i) ?? 0) + x.bandwidth() / 2, label })),
    yTicks: input.rows.map((label, i) => ({ offset: (y(i) ?? 0) + y.bandwidth() / 2, label })),
    legend: {
      x: lx,
      y: 0,
      w: legendW,
      h: innerH,
      stops: Array.from({ length: 11 }, (_, i) => ({ offset: i / 10, color: color(lo + ((hi - lo) * (10 - i)) / 10) })),
      ticks: ly.ticks(5).map((v) => ({ offset: ly(v), label: fmtTick(v) })),
    },
  };
}

/** Tooltip text of one cell: exact value with its row and column. */
export function cellTooltip(input: MatrixInput, cell: MatrixCell, rowName: string, colName: string): string {
  return `${rowName} ${input.rows[cell.row]} · ${colName} ${input.cols[cell.col]}: ${fmtExact(cell.value)}`;
}
