import { useState } from 'react';
import { metricsTables, type Alignment, type ResultMetrics } from '../../formats/index.js';
import { fmtExact } from './axis-ticks.js';
import { alignmentMatrix, cosineHistograms } from './alignment-layout.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { HistogramSvg } from './histogram-chart.js';
import type { LatentQuery } from './latents-layout.js';
import { MatrixSvg } from './matrix-chart.js';

type Tip = ReturnType<typeof useTooltip>;

export function AlignmentFigure({ metrics, width, height, tooltip, selected, onSelect }: { metrics: ResultMetrics; width: number; height: number; tooltip?: Tip; selected?: { row: number; col: number } | null; onSelect?: (row: number, col: number) => void }) {
  return (
    <MatrixSvg
      input={alignmentMatrix(metrics)}
      width={width}
      height={height}
      title="Mean best cosine of delta-SAE features with the pretrained dictionary"
      xLabel="adapter"
      yLabel="layer"
      valueLabel="mean max cosine"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
      onCellClick={onSelect}
      selected={selected}
    />
  );
}

export function CosineFigure({ alignment, width, height, tooltip, onBinClick }: { alignment: Alignment; width: number; height: number; tooltip?: Tip; onBinClick?: (lo: number, hi: number) => void }) {
  return (
    <HistogramSvg
      series={cosineHistograms(alignment)}
      width={width}
      height={height}
      title={`Best cosine per delta-SAE feature, layer ${alignment.layer}, ${alignment.adapter}`}
      xLabel="max cosine with the pretrained decoder"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
      onBarClick={onBinClick ? (key, lo, hi) => key === 'observed' && onBinClick(lo, hi) : undefined}
    />
  );
}

function summary(a: Alignment): string {
  const part = (name: string, s: Alignment['observed'] | null) => (s ? `${name} ${fmtExact(s.meanMaxCos)}` : null);
  return [part('observed', a.observed), part('ceiling', a.ceiling), part('floor', a.floor), part('random LoRA', a.randomLora)].filter(Boolean).join(' · ');
}

/** `onShowLatents` (when the delta-feature panel is there) lists the latents of a clicked cell or histogram bin. */
export function AlignmentPanels({ metrics, width, onShowLatents }: { metrics: ResultMetrics; width: number; onShowLatents?: (q: LatentQuery) => void }) {
  const [sel, setSel] = useState<{ row: number; col: number } | null>(null);
  const tipA = useTooltip();
  const tipB = useTooltip();
  const input = alignmentMatrix(metrics);
  // Until a cell is clicked, the first computed cell's histogram is shown.
  const first = metrics.alignment.find((a) => input.rows.includes(String(a.layer)) && input.cols.includes(a.adapter)) ?? null;
  const current = sel ?? (first ? { row: input.rows.indexOf(String(first.layer)), col: input.cols.indexOf(first.adapter) } : null);
  const chosen = current ? metrics.alignment.find((a) => String(a.layer) === input.rows[current.row] && a.adapter === input.cols[current.col]) ?? null : null;
  const table = () => metricsTables(metrics).alignment;
  return (
    <>
      <ChartFrame
        name="alignment"
        title="Do pretrained dictionaries see the change?"
        caption="For each delta-SAE decoder row, its best cosine with any pretrained decoder row, averaged. Click a cell for its histogram against the controls."
        table={table}
        tooltip={tipA}
      >
        <AlignmentFigure
          metrics={metrics}
          width={width}
          height={Math.max(220, 60 + 34 * Math.max(1, input.rows.length))}
          tooltip={tipA}
          selected={current}
          onSelect={(row, col) => {
            setSel({ row, col });
            onShowLatents?.({ layer: Number(input.rows[row]), adapter: input.cols[col] });
          }}
        />
      </ChartFrame>
      <ChartFrame name="cosine-histogram" title="Best-cosine histogram against its controls" caption={chosen ? `Layer ${chosen.layer}, ${chosen.adapter} — mean best cosine: ${summary(chosen)}` : 'Click a cell of the alignment matrix.'} table={table} tooltip={tipB}>
        {chosen ? <CosineFigure alignment={chosen} width={width} height={260} tooltip={tipB} onBinClick={onShowLatents ? (lo, hi) => onShowLatents({ layer: chosen.layer, adapter: chosen.adapter, cosine: [lo, hi] }) : undefined} /> : <div className="panel-empty">No cell selected.</div>}
      </ChartFrame>
    </>
  );
}
