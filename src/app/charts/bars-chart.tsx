import type { MouseEvent } from 'react';
import { fmtExact, type Margin } from './axis-ticks.js';
import { barsLayout, type BarsInput } from './bars-layout.js';
import { AxisBottom, AxisLeft, Pending, SvgLegend, SvgRoot } from './svg-parts.js';

export interface BarsSvgProps {
  input: BarsInput;
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  onHover?: (e: MouseEvent, text: string) => void;
  onLeave?: () => void;
}

export function BarsSvg({ input, width, height, title, xLabel, yLabel, onHover, onLeave }: BarsSvgProps) {
  const margin: Margin = { top: 30, right: 16, bottom: 44, left: 60 };
  const L = barsLayout(input, width, height, margin);
  return (
    <SvgRoot width={width} height={height} title={title}>
      <SvgLegend items={input.series.map((s) => ({ label: s.label, color: s.color, kind: 'box' }))} x={margin.left} y={12} maxWidth={width - margin.left} />
      <g transform={`translate(${margin.left},${margin.top})`}>
        <AxisLeft ticks={L.yTicks} height={L.innerH} label={yLabel} grid={L.innerW} />
        {L.bars.map((b) => {
          const tip = `${input.groups[b.group]} · ${input.series[b.series].label}: ${yLabel} ${fmtExact(b.value)}`;
          return (
            <g key={`${b.group}/${b.series}`} data-bar={`${input.groups[b.group]}/${input.series[b.series].key}`} data-value={b.value}>
              <rect x={b.x} y={b.y} width={b.w} height={b.h} fill={b.color} onMouseMove={onHover ? (e) => onHover(e, tip) : undefined} onMouseLeave={onLeave}>
                <title>{tip}</title>
              </rect>
              {b.whisker && <line x1={b.x + b.w / 2} x2={b.x + b.w / 2} y1={b.whisker.y0} y2={b.whisker.y1} stroke="#212529" strokeWidth={1.2} />}
            </g>
          );
        })}
        <line x1={0} x2={L.innerW} y1={L.zeroY} y2={L.zeroY} stroke="#495057" />
        <AxisBottom ticks={L.xTicks} y={L.innerH} width={L.innerW} label={xLabel} />
        {L.bars.length === 0 && <Pending width={L.innerW} height={L.innerH} text="waiting for evaluation…" />}
      </g>
    </SvgRoot>
  );
}
