import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { fmtExact } from './axis-ticks.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { layerBarsLayout, localWriteAdapters, localWriteLayers, localWritesMatrix, residDeltaByLayer } from './local-writes-layout.js';
import { MATRIX_MARGIN, MatrixSvg } from './matrix-chart.js';
import { AxisBottom, SvgRoot } from './svg-parts.js';

const BAR_MARGIN = { ...MATRIX_MARGIN, left: 16, right: 16 };

interface FigureProps {
  metrics: ResultMetrics;
  adapter: string;
  width: number;
  height: number;
  tooltip?: ReturnType<typeof useTooltip>;
}

/** Layers × modules heatmap of one adapter's local writes, with the resid_post delta norm on the same layer rows. */
export function LocalWritesFigure({ metrics, adapter, width, height, tooltip }: FigureProps) {
  const layers = localWriteLayers(metrics, adapter);
  const resid = residDeltaByLayer(metrics, adapter, layers);
  const matrixW = Math.round(width * 0.66);
  const bars = layerBarsLayout(resid, width - matrixW, height, BAR_MARGIN);
  const title = `Local LoRA writes vs resid_post delta, ${adapter}`;
  return (
    <SvgRoot width={width} height={height} title={title}>
      <MatrixSvg
        input={localWritesMatrix(metrics, adapter)}
        width={matrixW}
        height={height}
        title={`${title}: local writes`}
        xLabel="module: mean ‖scaling·B·A·x‖"
        yLabel="layer"
        valueLabel=""
        onHover={tooltip?.show}
        onLeave={tooltip?.hide}
      />
      <g transform={`translate(${matrixW + BAR_MARGIN.left},${BAR_MARGIN.top})`}>
        {bars.bars.map((b) => {
          const tip = `layer ${layers[b.row]}: mean ‖Δ resid_post‖ ${b.value === null ? 'not hooked' : fmtExact(b.value)}`;
          return (
            <g key={b.row} data-bar={`resid/${layers[b.row]}`} data-value={b.value ?? ''} onMouseMove={tooltip ? (e) => tooltip.show(e, tip) : undefined} onMouseLeave={tooltip?.hide}>
              {b.value === null ? (
                <text x={4} y={b.y + b.h / 2} dy="0.32em" fill="#adb5bd">
                  not hooked
                </text>
              ) : (
                <rect x={0} y={b.y} width={b.w} height={b.h} fill="#495057">
                  <title>{tip}</title>
                </rect>
              )}
            </g>
          );
        })}
        <AxisBottom ticks={bars.xTicks} y={bars.innerH} width={bars.innerW} label="‖Δ resid_post‖" />
      </g>
    </SvgRoot>
  );
}

export function figureHeight(m: ResultMetrics, adapter: string): number {
  return Math.max(220, 60 + 30 * Math.max(1, localWriteLayers(m, adapter).length));
}

export function LocalWritesPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const adapters = localWriteAdapters(metrics);
  const [sel, setSel] = useState<string | null>(null);
  const adapter = pick(sel, adapters);
  const tooltip = useTooltip();
  return (
    <ChartFrame
      name="local-writes"
      title="Who writes the change: local LoRA writes vs the propagated delta"
      caption={
        <>
          Left: mean per-token ‖scaling·B·A·x‖ of each adapted module, x its input in the adapter&apos;s own stream, over text tokens (BOS and padding excluded), accumulated over the whole
          extraction. Right: mean ‖resid_post(fine-tuned) − resid_post(base)‖ at the hooked layers. The engine runs layers 0..max(hooked layer) only, so deeper layers&apos; writes are not
          measured.
        </>
      }
      controls={adapter !== null ? <Choice label="adapter" value={adapter} options={adapters} onChange={setSel} /> : null}
      table={() => metricsTables(metrics).local_writes}
      tooltip={tooltip}
    >
      {adapter === null ? (
        <div className="panel-empty">No local writes yet: they are measured while the extraction runs.</div>
      ) : (
        <LocalWritesFigure metrics={metrics} adapter={adapter} width={width} height={figureHeight(metrics, adapter)} tooltip={tooltip} />
      )}
    </ChartFrame>
  );
}
