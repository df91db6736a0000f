import type { ReactNode } from 'react';
import type { Tick } from './axis-ticks.js';

/**
 * SVG building blocks every chart shares. Axes are drawn from ticks the layout computed (d3 scales), as
 * React elements: figures in a bundle are rendered with renderToStaticMarkup, where effects never run.
 */

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = '#495057';

export function SvgRoot({ width, height, title, children }: { width: number; height: number; title: string; children: ReactNode }) {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" width={width} height={height} viewBox={`0 0 ${width} ${height}`} fontFamily={FONT} fontSize={11} role="img" aria-label={title}>
      <title>{title}</title>
      <rect width={width} height={height} fill="#fff" />
      {children}
    </svg>
  );
}

export function AxisBottom({ ticks, y, width, label, rotate = false }: { ticks: Tick[]; y: number; width: number; label?: string; rotate?: boolean }) {
  return (
    <g transform={`translate(0,${y})`} fill={AXIS}>
      <line x1={0} x2={width} stroke={AXIS} />
      {ticks.map((t, i) => (
        <g key={i} transform={`translate(${t.offset},0)`}>
          <line y2={5} stroke={AXIS} />
          <text y={rotate ? 8 : 17} textAnchor={rotate ? 'end' : 'middle'} transform={rotate ? 'rotate(-35)' : undefined}>
            {t.label}
          </text>
        </g>
      ))}
      {label && (
        <text x={width / 2} y={34} textAnchor="middle" fontWeight={600}>
          {label}
        </text>
      )}
    </g>
  );
}

export function AxisLeft({ ticks, height, label, grid = 0 }: { ticks: Tick[]; height: number; label?: string; grid?: number }) {
  return (
    <g fill={AXIS}>
      <line y1={0} y2={height} stroke={AXIS} />
      {ticks.map((t, i) => (
        <g key={i} transform={`translate(0,${t.offset})`}>
          <line x2={-5} stroke={AXIS} />
          {grid > 0 && <line x2={grid} stroke="#e9ecef" />}
          <text x={-8} dy="0.32em" textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
      {label && (
        <text transform={`translate(-42,${height / 2}) rotate(-90)`} textAnchor="middle" fontWeight={600}>
          {label}
        </text>
      )}
    </g>
  );
}

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
  kind?: 'line' | 'box';
}

/** A legend inside the SVG (so exported figures carry it), laid out in rows. */
export function SvgLegend({ items, x, y, maxWidth }: { items: LegendItem[]; x: number; y: number; maxWidth: number }) {
  let cx = 0;
  let cy = 0;
  const placed = items.map((it) => {
    const w = 22 + it.label.length * 6.2 + 12;
    if (cx > 0 && cx + w > maxWidth) {
      cx = 0;
      cy += 16;
    }
    const at = { ...it, x: cx, y: cy };
    cx += w;
    return at;
  });
  return (
    <g transform={`translate(${x},${y})`} fill="#212529">
      {placed.map((it, i) => (
        <g key={i} transform={`translate(${it.x},${it.y})`}>
          {it.kind === 'box' ? (
            <rect y={-5} width={16} height={10} fill={it.color} />
          ) : (
            <line x2={16} stroke={it.color} strokeWidth={2} strokeDasharray={it.dashed ? '4 3' : undefined} />
          )}
          <text x={20} dy="0.32em">
            {it.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Placeholder text for a panel whose stage has not produced numbers yet. */
export function Pending({ width, height, text }: { width: number; height: number; text: string }) {
  return (
    <text x={width / 2} y={height / 2} textAnchor="middle" fill="#868e96" fontSize={13}>
      {text}
    </text>
  );
}
