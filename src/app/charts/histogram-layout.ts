import { scaleLinear } from 'd3';
import type { Histogram } from '../../formats/index.js';
import { linearTicks, log10Ticks, type Margin, type Tick } from './axis-ticks.js';

export interface HistogramSeries {
  key: string;
  label: string;
  color: string;
  histogram: Histogram;
  /** Filled bars (the observed data) or an outline step (controls drawn against it). */
  style: 'bars' | 'step';
}

export interface HistogramLayout {
  width: number;
  height: number;
  margin: Margin;
  innerW: number;
  innerH: number;
  series: {
    key: string;
    label: string;
    color: string;
    style: 'bars' | 'step';
    bars: { x: number; y: number; w: number; h: number; lo: number; hi: number; count: number; fraction: number }[];
    step: string;
  }[];
  xTicks: Tick[];
  yTicks: Tick[];
}

/**
 * Pre-binned histograms (binned on the worker) drawn as fractions of their own total, so histograms over
 * different numbers of latents compare. A log10 histogram's edges are already log10 units.
 */
export function histogramLayout(series: HistogramSeries[], width: number, height: number, margin: Margin): HistogramLayout {
  const innerW = Math.max(10, width - margin.left - margin.right);
  const innerH = Math.max(10, height - margin.top - margin.bottom);
  const edges = series.flatMap((s) => [s.histogram.edges[0], s.histogram.edges[s.histogram.edges.length - 1]]);
  const x = scaleLinear()
    .domain(edges.length ? [Math.min(...edges), Math.max(...edges)] : [0, 1])
    .range([0, innerW]);
  const fractions = series.map((s) => {
    const total = s.histogram.counts.reduce((a, b) => a + b, 0) || 1;
    return s.histogram.counts.map((c) => c / total);
  });
  const y = scaleLinear()
    .domain([0, Math.max(1e-9, ...fractions.flat())])
    .range([innerH, 0])
    .nice();
  const isLog = series.length > 0 && series.every((s) => s.histogram.scale === 'log10');
  return {
    width,
    height,
    margin,
    innerW,
    innerH,
    series: series.map((s, si) => {
      const e = s.histogram.edges;
      const bars = s.histogram.counts.map((count, i) => ({
        x: x(e[i]),
        y: y(fractions[si][i]),
        w: Math.max(0.5, x(e[i + 1]) - x(e[i]) - (s.style === 'bars' ? 0.5 : 0)),
        h: innerH - y(fractions[si][i]),
        lo: e[i],
        hi: e[i + 1],
        count,
        fraction: fractions[si][i],
      }));
      const step = bars.length
        ? `M${x(e[0])},${innerH}` + bars.map((b) => `V${b.y}H${x(b.hi)}`).join('') + `V${innerH}`
        : '';
      return { key: s.key, label: s.label, color: s.color, style: s.style, bars, step };
    }),
    xTicks: isLog ? log10Ticks(x, Math.max(2, Math.floor(innerW / 60))) : linearTicks(x, Math.max(2, Math.floor(innerW / 60))),
    yTicks: linearTicks(y, Math.max(2, Math.floor(innerH / 40))),
  };
}
