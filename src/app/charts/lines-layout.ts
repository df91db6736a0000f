import { line, scaleLinear, scaleLog } from 'd3';
import { linearTicks, type Margin, type Tick } from './axis-ticks.js';

export interface Series {
  key: string;
  label: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** Draw a dot at every point (few points), or only the line. */
  dots?: boolean;
}

export interface LinesLayout {
  width: number;
  height: number;
  margin: Margin;
  innerW: number;
  innerH: number;
  paths: { key: string; label: string; color: string; d: string; dashed: boolean; dots: { cx: number; cy: number; x: number; y: number }[] }[];
  xTicks: Tick[];
  yTicks: Tick[];
}

export interface LinesOptions {
  yLog?: boolean;
  /** Fixed y domain (e.g. [0, 90] degrees); otherwise from the data, with 0 included for linear scales. */
  yDomain?: [number, number];
  xLabel?: (v: number) => string;
}

/** Scales and SVG paths for several series on shared axes; non-finite points (and ≤ 0 on a log axis) are skipped. */
export function linesLayout(series: Series[], width: number, height: number, margin: Margin, opts: LinesOptions = {}): LinesLayout {
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const ok = (p: { x: number; y: number }) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!opts.yLog || p.y > 0);
  const pts = series.flatMap((s) => s.points.filter(ok));
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]);
  let yDomain: [number, number];
  if (opts.yDomain) yDomain = opts.yDomain;
  else if (!ys.length) yDomain = opts.yLog ? [0.01, 1] : [0, 1];
  else if (opts.yLog) yDomain = [Math.min(...ys), Math.max(...ys)];
  else yDomain = [Math.min(0, ...ys), Math.max(0, ...ys)];
  if (yDomain[0] === yDomain[1]) yDomain = opts.yLog ? [yDomain[0] / 2, yDomain[1] * 2] : [yDomain[0] - 1, yDomain[1] + 1];
  const y = opts.yLog ? scaleLog().domain(yDomain).range([innerH, 0]).nice() : scaleLinear().domain(yDomain).range([innerH, 0]).nice();
  const gen = line<{ x: number; y: number }>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  return {
    width,
    height,
    margin,
    innerW,
    innerH,
    paths: series.map((s) => {
      const good = s.points.filter(ok);
      return {
        key: s.key,
        label: s.label,
        color: s.color,
        d: gen(good) ?? '',
        dashed: s.dashed ?? false,
        dots: s.dots ? good.map((p) => ({ cx: x(p.x), cy: y(p.y), x: p.x, y: p.y })) : [],
      };
    }),
    // Steps and indices are whole numbers: no tick at 1.5.
    xTicks: linearTicks(x, Math.max(2, Math.floor(innerW / 70)), opts.xLabel).filter((t) => !xs.every(Number.isInteger) || Number.isInteger(Number(x.invert(t.offset).toFixed(9)))),
    yTicks: opts.yLog
      ? y.ticks(4).filter((v) => Math.log10(v) % 1 === 0).map((v) => ({ offset: y(v), label: String(v) }))
      : linearTicks(y, Math.max(2, Math.floor(innerH / 40))),
  };
}
