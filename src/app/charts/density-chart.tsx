import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { densityHistograms, l0Series } from './density-layout.js';
import { HistogramSvg } from './histogram-chart.js';
import { LinesSvg } from './lines-chart.js';
import { adapterOrder, layersWith } from './panel-data.js';

type Tip = ReturnType<typeof useTooltip>;

export function L0Figure({ metrics, width, height, tooltip }: { metrics: ResultMetrics; width: number; height: number; tooltip?: Tip }) {
  return (
    <LinesSvg
      series={l0Series(metrics)}
      width={width}
      height={height}
      title="Mean L0 of the delta SAEs against LoRA rank"
      xLabel="LoRA rank"
      yLabel="mean L0"
      empty="waiting for evaluation…"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function DensityFigure({ metrics, layer, adapter, width, height, tooltip }: { metrics: ResultMetrics; layer: number; adapter: string; width: number; height: number; tooltip?: Tip }) {
  return (
    <HistogramSvg
      series={densityHistograms(metrics, layer, adapter)}
      width={width}
      height={height}
      title={`Latent firing frequency, layer ${layer}, ${adapter}`}
      xLabel="fraction of tokens a latent fires on (log10)"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function DensityPanels({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = layersWith(metrics, metrics.reconstruction);
  const adapters = adapterOrder(metrics);
  const [layerSel, setLayer] = useState<number | null>(null);
  const [adapterSel, setAdapter] = useState<string | null>(null);
  const layer = pick(layerSel, layers) ?? 0;
  const adapter = pick(adapterSel, adapters) ?? '';
  const tipA = useTooltip();
  const tipB = useTooltip();
  const table = () => metricsTables(metrics).reconstruction;
  return (
    <>
      <ChartFrame name="density-l0" title="Sparsity against rank and depth" caption="Mean number of active latents per held-out token (L0) of each delta SAE; one line per layer." table={table} tooltip={tipA}>
        <L0Figure metrics={metrics} width={width} height={260} tooltip={tipA} />
      </ChartFrame>
      <ChartFrame
        name="density-histogram"
        title="Feature density"
        caption="How often each latent fires on held-out deltas (log scale; dead latents are counted in the leftmost bin). Bars: delta SAE; line: pretrained SAE on the same deltas."
        controls={<><Choice label="layer" value={layer} options={layers} onChange={setLayer} /><Choice label="adapter" value={adapter} options={adapters} onChange={setAdapter} /></>}
        table={table}
        tooltip={tipB}
      >
        <DensityFigure metrics={metrics} layer={layer} adapter={adapter} width={width} height={260} tooltip={tipB} />
      </ChartFrame>
    </>
  );
}
