import { useRef, useState, type ReactNode } from 'react';
import { toCsv, type Table } from '../../formats/index.js';
import { download, svgText, svgToPng } from './export-figure.js';

export interface TooltipState {
  x: number;
  y: number;
  text: string;
}

/** Hover tooltip shared by the marks of one chart; positions are relative to the chart's frame. */
export function useTooltip() {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const show = (e: { clientX: number; clientY: number }, text: string) => {
    const box = frame.current?.getBoundingClientRect();
    setTip({ x: e.clientX - (box?.left ?? 0) + 12, y: e.clientY - (box?.top ?? 0) + 12, text });
  };
  return { tip, frame, show, hide: () => setTip(null) };
}

interface FrameProps {
  /** File stem for exports, e.g. "delta-norms". */
  name: string;
  title: string;
  caption?: ReactNode;
  controls?: ReactNode;
  /** The table behind the figure, exported as CSV; built only when asked for (it can span every result). */
  table?: () => Table;
  tooltip: ReturnType<typeof useTooltip>;
  children: ReactNode;
}

/** A panel: title, caption, controls, the SVG, a tooltip and export buttons (SVG, PNG, CSV). */
export function ChartFrame({ name, title, caption, controls, table, tooltip, children }: FrameProps) {
  const body = useRef<HTMLDivElement>(null);
  const svg = () => body.current?.querySelector('svg') ?? null;
  const exportSvg = () => {
    const el = svg();
    if (el) download(`${name}.svg`, new Blob([svgText(el)], { type: 'image/svg+xml' }));
  };
  const exportPng = async () => {
    const el = svg();
    if (el) download(`${name}.png`, await svgToPng(el));
  };
  return (
    <section className="panel" data-panel={name} aria-label={title}>
      <header className="panel-head">
        <h3>{title}</h3>
        <div className="panel-tools">
          {controls}
          <button type="button" onClick={exportSvg} title="Download the figure as SVG">SVG</button>
          <button type="button" onClick={() => void exportPng()} title="Download the figure as PNG">PNG</button>
          {table && (
            <button type="button" onClick={() => download(`${name}.csv`, new Blob([toCsv(table())], { type: 'text/csv' }))} title="Download the numbers as CSV">
              CSV
            </button>
          )}
        </div>
      </header>
      {caption && <p className="panel-caption">{caption}</p>}
      <div className="panel-body" ref={(el) => { body.current = el; tooltip.frame.current = el; }} onMouseLeave={tooltip.hide}>
        {children}
        {tooltip.tip && (
          <div className="tooltip" role="tooltip" style={{ left: tooltip.tip.x, top: tooltip.tip.y }}>
            {tooltip.tip.text}
          </div>
        )}
      </div>
    </section>
  );
}
