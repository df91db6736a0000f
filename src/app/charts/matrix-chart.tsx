import type { MouseEvent } from 'react';
import { fmtExact, type Margin } from './axis-ticks.js';
import { matrixLayout, type MatrixInput } from './matrix-layout.js';
import { AxisBottom, AxisLeft, SvgRoot } from './svg-parts.js';

export interface MatrixSvgProps {
  input: MatrixInput;
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Shown in the legend's caption, e.g. "mean ‖Δ‖". */
  valueLabel: string;
  onHover?: (e: MouseEvent, text: string) => void;
  onLeave?: () => void;
  onCellClick?: (row: number, col: number) => void;
  selected?: { row: number; col: number } | null;
}

/** The margin every MatrixSvg is drawn with (figures that set marks beside a matrix align to it). */
export const MATRIX_MARGIN: Margin = { top: 10, right: 10, bottom: 46, left: 64 };
const MARGIN = MATRIX_MARGIN;

export function MatrixSvg({ input, width, height, title, xLabel, yLabel, valueLabel, onHover, onLeave, onCellClick, selected }: MatrixSvgProps) {
  const L = matrixLayout(input, width, height, MARGIN);
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const innerW = L.legend.x - 28;
  const showText = L.cells.length > 0 && L.cells[0].w > 34 && L.cells[0].h > 14;
  return (
    <SvgRoot width={width} height={height} title={title}>
      <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
        {L.cells.map((c) => {
          const tip = `${yLabel} ${input.rows[c.row]} · ${xLabel} ${input.cols[c.col]}: ${fmtExact(c.value)}`;
          const isSel = selected?.row === c.row && selected?.col === c.col;
          return (
            <g
              key={`${c.row}/${c.col}`}
              data-cell={`${input.rows[c.row]}/${input.cols[c.col]}`}
              data-value={c.value ?? ''}
              onMouseMove={onHover ? (e) => onHover(e, tip) : undefined}
              onMouseLeave={onLeave}
              onClick={onCellClick && c.value !== null ? () => onCellClick(c.row, c.col) : undefined}
              style={onCellClick && c.value !== null ? { cursor: 'pointer' } : undefined}
            >
              <rect x={c.x} y={c.y} width={c.w} height={c.h} fill={c.fill} stroke={isSel ? '#212529' : 'none'} strokeWidth={isSel ? 2 : 0}>
                <title>{tip}</title>
              </rect>
              {showText && (
                <text x={c.x + c.w / 2} y={c.y + c.h / 2} dy="0.32em" textAnchor="middle" fill={c.textFill} pointerEvents="none">
                  {c.text}
                </text>
              )}
            </g>
          );
        })}
        <AxisBottom ticks={L.xTicks} y={innerH} width={innerW} label={xLabel} />
        <AxisLeft ticks={L.yTicks} height={innerH} label={yLabel} />
        <g transform={`translate(${L.legend.x},${L.legend.y})`} fill="#495057">
          <defs>
            <linearGradient id={`grad-${title.replace(/\W/g, '')}`} x1="0" x2="0" y1="0" y2="1">
              {L.legend.stops.map((s, i) => (
                <stop key={i} offset={s.offset} stopColor={s.color} />
              ))}
            </linearGradient>
          </defs>
          <rect width={L.legend.w} height={L.legend.h} fill={`url(#grad-${title.replace(/\W/g, '')})`} />
          {L.legend.ticks.map((t, i) => (
            <text key={i} x={L.legend.w + 4} y={t.offset} dy="0.32em">
              {t.label}
            </text>
          ))}
          <text transform={`translate(${L.legend.w + 40},${L.legend.h / 2}) rotate(90)`} textAnchor="middle">
            {valueLabel}
          </text>
        </g>
      </g>
    </SvgRoot>
  );
}
