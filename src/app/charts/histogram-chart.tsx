import type { MouseEvent } from 'react';
import { fmtExact, type Margin } from './axis-ticks.js';
import { histogramLayout, type HistogramSeries } from './histogram-layout.js';
import { AxisBottom, AxisLeft, Pending, SvgLegend, SvgRoot } from './svg-parts.js';

export interface HistogramSvgProps {
  series: HistogramSeries[];
  width: number;
  height: number;
  title: string;
  xLabel: string;
  onHover?: (e: MouseEvent, text: string) => void;
  onLeave?: () => void;
  /** a click on a bar of a 'bars' series: its key and the bin's edges */
  onBarClick?: (series: string, lo: number, hi: number) => void;
}

export function HistogramSvg({ series, width, height, title, xLabel, onHover, onLeave, onBarClick }: HistogramSvgProps) {
  const margin: Margin = { top: 30, right: 16, bottom: 44, left: 60 };
  const L = histogramLayout(series, width, height, margin);
  const edge = (v: number, log: boolean) => (log ? `10^${fmtExact(v)}` : fmtExact(v));
  return (
    <SvgRoot width={width} height={height} title={title}>
      <SvgLegend items={series.map((s) => ({ label: s.label, color: s.color, kind: s.style === 'bars' ? 'box' : 'line' }))} x={margin.left} y={12} maxWidth={width - margin.left} />
      <g transform={`translate(${margin.left},${margin.top})`}>
        <AxisLeft ticks={L.yTicks} height={L.innerH} label="fraction" grid={L.innerW} />
        {L.series.map((s, si) =>
          s.style === 'bars' ? (
            <g key={s.key} data-hist={s.key}>
              {s.bars.map((b, i) => {
                const log = series[si].histogram.scale === 'log10';
                const dead = i === 0 && series[si].histogram.firstBinDead === true;
                const tip = dead ? `${s.label} · dead (never fire): ${b.count} (${fmtExact(b.fraction)})` : `${s.label} · [${edge(b.lo, log)}, ${edge(b.hi, log)}): ${b.count} (${fmtExact(b.fraction)})`;
                return (
                  <rect
                    key={i}
                    data-bin={i}
                    x={b.x}
                    y={b.y}
                    width={b.w}
                    height={b.h}
                    fill={s.color}
                    fillOpacity={0.75}
                    onMouseMove={onHover ? (e) => onHover(e, tip) : undefined}
                    onMouseLeave={onLeave}
                    onClick={onBarClick ? () => onBarClick(s.key, b.lo, b.hi) : undefined}
                    style={onBarClick ? { cursor: 'pointer' } : undefined}
                  >
                    <title>{tip}</title>
                  </rect>
                );
              })}
            </g>
          ) : (
            <path key={s.key} data-hist={s.key} d={s.step} fill="none" stroke={s.color} strokeWidth={1.8} />
          ),
        )}
        <AxisBottom ticks={L.xTicks} y={L.innerH} width={L.innerW} label={xLabel} />
        {L.series.length > 0 && series[0].histogram.firstBinDead && L.series[0].bars.length > 0 && (
          <text x={L.series[0].bars[0].x + L.series[0].bars[0].w / 2} y={-4} textAnchor="middle" fill="#495057" fontSize={10}>
            dead
          </text>
        )}
        {series.length === 0 && <Pending width={L.innerW} height={L.innerH} text="waiting for results…" />}
      </g>
    </SvgRoot>
  );
}
