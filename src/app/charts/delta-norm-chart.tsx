import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice } from './controls.js';
import { deltaNormMatrix, type NormMode } from './delta-norm-layout.js';
import { MatrixSvg } from './matrix-chart.js';

interface FigureProps {
  metrics: ResultMetrics;
  mode: NormMode;
  width: number;
  height: number;
  tooltip?: ReturnType<typeof useTooltip>;
}

export function DeltaNormFigure({ metrics, mode, width, height, tooltip }: FigureProps) {
  return (
    <MatrixSvg
      input={deltaNormMatrix(metrics, mode)}
      width={width}
      height={height}
      title={`Delta norm per layer and adapter (${mode})`}
      xLabel="adapter"
      yLabel="layer"
      valueLabel={mode === 'absolute' ? 'mean ‖Δ‖ per token' : '‖Δ‖ / ‖base‖'}
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function DeltaNormPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const [mode, setMode] = useState<NormMode>('absolute');
  const tooltip = useTooltip();
  return (
    <ChartFrame
      name="delta-norms"
      title="Where the change lands: ‖delta‖ by layer × adapter"
      caption="Mean per-token L2 norm of resid_post(fine-tuned) − resid_post(base), BOS excluded; relative = divided by the base model's mean ‖resid_post‖."
      controls={<Choice label="scale" value={mode} options={['absolute', 'relative'] as const} onChange={setMode} />}
      table={() => metricsTables(metrics).delta_norms}
      tooltip={tooltip}
    >
      <DeltaNormFigure metrics={metrics} mode={mode} width={width} height={Math.max(220, 60 + 34 * Math.max(1, metrics.layers.length))} tooltip={tooltip} />
    </ChartFrame>
  );
}
