import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { LinesSvg } from './lines-chart.js';
import { MatrixSvg } from './matrix-chart.js';
import { adapterOrder } from './panel-data.js';
import { spectrumSeries, weightMatrix, type WeightMode } from './weight-space-layout.js';

type Tip = ReturnType<typeof useTooltip>;

export function WeightFigure({ metrics, adapter, mode, width, height, tooltip }: { metrics: ResultMetrics; adapter: string; mode: WeightMode; width: number; height: number; tooltip?: Tip }) {
  return (
    <MatrixSvg
      input={weightMatrix(metrics, adapter, mode)}
      width={width}
      height={height}
      title={`Weight update ‖ΔW‖ per layer and module, ${adapter}`}
      xLabel="module"
      yLabel="layer"
      valueLabel={mode === 'frobenius' ? '‖scaling·BA‖_F' : '‖ΔW‖_F / ‖W‖_F'}
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function SpectrumFigure({ metrics, adapter, layer, width, height, tooltip }: { metrics: ResultMetrics; adapter: string; layer: number; width: number; height: number; tooltip?: Tip }) {
  return (
    <LinesSvg
      series={spectrumSeries(metrics, adapter, layer)}
      width={width}
      height={height}
      title={`Singular values of ΔW, ${adapter}, layer ${layer}`}
      xLabel="index"
      yLabel="singular value"
      options={{ yLog: true }}
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function WeightSpacePanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const adapters = adapterOrder(metrics).filter((a) => metrics.weightSpace.some((w) => w.adapter === a));
  const layers = [...new Set(metrics.weightSpace.map((w) => w.layer))].sort((a, b) => a - b);
  const [adapterSel, setAdapter] = useState<string | null>(null);
  const [layerSel, setLayer] = useState<number | null>(null);
  const [mode, setMode] = useState<WeightMode>('frobenius');
  const adapter = pick(adapterSel, adapters);
  const layer = pick(layerSel, layers);
  const tip = useTooltip();
  if (adapter === null || layer === null) {
    return (
      <ChartFrame name="weight-space" title="Weight space" tooltip={tip}>
        <div className="panel-empty">Waiting for adapters…</div>
      </ChartFrame>
    );
  }
  return (
    <ChartFrame
      name="weight-space"
      title="Weight space: where the adapter writes"
      caption="Frobenius norm of each module's update ΔW = scaling·B·A (relative: over the base weight's norm), and the singular values of ΔW at one layer."
      controls={<><Choice label="adapter" value={adapter} options={adapters} onChange={setAdapter} /><Choice label="scale" value={mode} options={['frobenius', 'relative'] as const} onChange={setMode} /><Choice label="layer" value={layer} options={layers} onChange={setLayer} /></>}
      table={() => metricsTables(metrics).weight_space}
      tooltip={tip}
    >
      <WeightFigure metrics={metrics} adapter={adapter} mode={mode} width={width} height={Math.max(200, 60 + 26 * layers.length)} tooltip={tip} />
      <SpectrumFigure metrics={metrics} adapter={adapter} layer={layer} width={width} height={220} tooltip={tip} />
    </ChartFrame>
  );
}
