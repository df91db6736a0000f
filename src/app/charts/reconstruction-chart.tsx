import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { BarsSvg } from './bars-chart.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { LinesSvg } from './lines-chart.js';
import { layersWith } from './panel-data.js';
import { curveSeries, reconstructionBars, type CurveMetric } from './reconstruction-layout.js';

type Tip = ReturnType<typeof useTooltip>;

export function CurvesFigure({ metrics, layer, metric, width, height, tooltip }: { metrics: ResultMetrics; layer: number; metric: CurveMetric; width: number; height: number; tooltip?: Tip }) {
  const series = curveSeries(metrics, layer, metric);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  // A log axis only helps when the loss falls by more than an order of magnitude.
  const yLog = metric === 'loss' && ys.length > 0 && Math.max(...ys) / Math.min(...ys) > 20;
  return (
    <LinesSvg
      series={series}
      width={width}
      height={height}
      title={`${metric === 'loss' ? 'Training loss' : 'Held-out FVU'} of the delta SAEs, layer ${layer}`}
      xLabel="step"
      yLabel={metric === 'loss' ? 'training loss' : 'held-out FVU'}
      options={{ yLog }}
      empty="waiting for training…"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function ReconBarsFigure({ metrics, layer, width, height, tooltip }: { metrics: ResultMetrics; layer: number; width: number; height: number; tooltip?: Tip }) {
  return (
    <BarsSvg
      input={reconstructionBars(metrics, layer)}
      width={width}
      height={height}
      title={`Held-out reconstruction of the deltas, layer ${layer}`}
      xLabel="adapter"
      yLabel="FVU"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function ReconstructionPanels({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = layersWith(metrics, [...metrics.reconstruction, ...metrics.training]);
  const [layerSel, setLayer] = useState<number | null>(null);
  const [metric, setMetric] = useState<CurveMetric>('loss');
  const layer = pick(layerSel, layers) ?? 0;
  const tipA = useTooltip();
  const tipB = useTooltip();
  const layerChoice = <Choice label="layer" value={layer} options={layers} onChange={setLayer} />;
  return (
    <>
      <ChartFrame
        name="reconstruction-curves"
        title="Delta-SAE training"
        caption="Training loss every logged step or fraction of variance unexplained on held-out deltas; dashed = second seed."
        controls={<>{layerChoice}<Choice label="show" value={metric} options={['loss', 'fvu'] as const} onChange={setMetric} format={(m) => (m === 'loss' ? 'train loss' : 'held-out FVU')} /></>}
        table={() => metricsTables(metrics).training}
        tooltip={tipA}
      >
        <CurvesFigure metrics={metrics} layer={layer} metric={metric} width={width} height={280} tooltip={tipA} />
      </ChartFrame>
      <ChartFrame
        name="reconstruction-bars"
        title="Delta SAE vs pretrained dictionary"
        caption="Held-out FVU of the deltas: the delta SAE; the pretrained SAE encoding the delta directly; and the pretrained SAE as SAE(ft) − SAE(base). Lower is better; whiskers are bootstrap intervals."
        controls={layerChoice}
        table={() => metricsTables(metrics).reconstruction}
        tooltip={tipB}
      >
        <ReconBarsFigure metrics={metrics} layer={layer} width={width} height={280} tooltip={tipB} />
      </ChartFrame>
    </>
  );
}
