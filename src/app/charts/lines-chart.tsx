import type { MouseEvent } from 'react';
import { fmtExact, type Margin } from './axis-ticks.js';
import { linesLayout, type LinesOptions, type Series } from './lines-layout.js';
import { AxisBottom, AxisLeft, Pending, SvgLegend, SvgRoot } from './svg-parts.js';

export interface LinesSvgProps {
  series: Series[];
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  options?: LinesOptions;
  empty?: string;
  onHover?: (e: MouseEvent, text: string) => void;
  onLeave?: () => void;
}

export function LinesSvg({ series, width, height, title, xLabel, yLabel, options, empty = 'waiting for results…', onHover, onLeave }: LinesSvgProps) {
  const legendRows = Math.ceil(series.reduce((w, s) => w + 40 + s.label.length * 6.2, 0) / Math.max(100, width - 80));
  const margin: Margin = { top: 10 + 16 * legendRows, right: 16, bottom: 44, left: 60 };
  const L = linesLayout(series, width, height, margin, options);
  const hasData = series.some((s) => s.points.length > 0);
  return (
    <SvgRoot width={width} height={height} title={title}>
      <SvgLegend items={series.map((s) => ({ label: s.label, color: s.color, dashed: s.dashed }))} x={margin.left} y={10} maxWidth={width - margin.left - 10} />
      <g transform={`translate(${margin.left},${margin.top})`}>
        <AxisLeft ticks={L.yTicks} height={L.innerH} label={yLabel} grid={L.innerW} />
        <AxisBottom ticks={L.xTicks} y={L.innerH} width={L.innerW} label={xLabel} />
        {!hasData && <Pending width={L.innerW} height={L.innerH} text={empty} />}
        {L.paths.map((p) => (
          <g key={p.key} data-series={p.key}>
            <path d={p.d} fill="none" stroke={p.color} strokeWidth={1.8} strokeDasharray={p.dashed ? '5 4' : undefined} />
            {p.dots.map((d, i) => (
              <circle
                key={i}
                cx={d.cx}
                cy={d.cy}
                r={3.2}
                fill={p.color}
                data-x={d.x}
                data-y={d.y}
                onMouseMove={onHover ? (e) => onHover(e, `${p.label} · ${xLabel} ${fmtExact(d.x)}: ${yLabel} ${fmtExact(d.y)}`) : undefined}
                onMouseLeave={onLeave}
              >
                <title>{`${p.label} · ${xLabel} ${fmtExact(d.x)}: ${fmtExact(d.y)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </g>
    </SvgRoot>
  );
}
