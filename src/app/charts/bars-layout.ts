import { scaleBand, scaleLinear } from 'd3';
import { linearTicks, type Margin, type Tick } from './axis-ticks.js';

/** Grouped bars: one group per category, one bar per series; `null` = not computed; optional interval. */
export interface BarsInput {
  groups: string[];
  series: { key: string; label: string; color: string }[];
  values: ({ value: number; interval?: [number, number] | null } | null)[][]; // [group][series]
}

export interface BarsLayout {
  width: number;
  height: number;
  margin: Margin;
  innerW: number;
  innerH: number;
  bars: { group: number; series: number; x: number; y: number; w: number; h: number; color: string; value: number; whisker: { y0: number; y1: number } | null }[];
  xTicks: Tick[];
  yTicks: Tick[];
  zeroY: number;
}

export function barsLayout(input: BarsInput, width: number, height: number, margin: Margin): BarsLayout {
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const g = scaleBand<number>().domain(input.groups.map((_, i) => i)).range([0, innerW]).paddingInner(0.2).paddingOuter(0.1);
  const s = scaleBand<number>().domain(input.series.map((_, i) => i)).range([0, g.bandwidth()]).paddingInner(0.08);
  const all = input.values.flat().flatMap((v) => (v ? [v.value, ...(v.interval ?? [])] : [])).filter(Number.isFinite);
  const y = scaleLinear()
    .domain([Math.min(0, ...all), Math.max(0, ...all, 1e-9)])
    .range([innerH, 0])
    .nice();
  const bars: BarsLayout['bars'] = [];
  input.values.forEach((row, gi) =>
    row.forEach((v, si) => {
      if (!v || !Number.isFinite(v.value)) return;
      const top = y(Math.max(0, v.value));
      const bottom = y(Math.min(0, v.value));
      bars.push({
        group: gi,
        series: si,
        x: (g(gi) ?? 0) + (s(si) ?? 0),
        y: top,
        w: s.bandwidth(),
        h: Math.max(0.5, bottom - top),
        color: input.series[si].color,
        value: v.value,
        whisker: v.interval ? { y0: y(v.interval[0]), y1: y(v.interval[1]) } : null,
      });
    }),
  );
  return {
    width,
    height,
    margin,
    innerW,
    innerH,
    bars,
    xTicks: input.groups.map((label, i) => ({ offset: (g(i) ?? 0) + g.bandwidth() / 2, label })),
    yTicks: linearTicks(y, Math.max(2, Math.floor(innerH / 40))),
    zeroY: y(0),
  };
}
