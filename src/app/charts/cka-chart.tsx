import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { ckaMatrix } from './cka-layout.js';
import { Choice, pick } from './controls.js';
import { MatrixSvg } from './matrix-chart.js';

export function CkaFigure({ metrics, layer, width, height, tooltip }: { metrics: ResultMetrics; layer: number; width: number; height: number; tooltip?: ReturnType<typeof useTooltip> }) {
  const input = ckaMatrix(metrics, layer) ?? { rows: [], cols: [], values: [], domain: [0, 1] as [number, number], scheme: 'sequential' as const };
  return (
    <MatrixSvg input={input} width={width} height={height} title={`Linear CKA between delta representations, layer ${layer}`} xLabel="" yLabel="" valueLabel="linear CKA" onHover={tooltip?.show} onLeave={tooltip?.hide} />
  );
}

export function CkaPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = [...new Set(metrics.cka.map((c) => c.layer))].sort((a, b) => a - b);
  const [layerSel, setLayer] = useState<number | null>(null);
  const layer = pick(layerSel, layers);
  const tip = useTooltip();
  const size = Math.min(width, 420);
  return (
    <ChartFrame
      name="cka"
      title="Linear CKA between adapters' deltas"
      caption="Linear CKA (Kornblith et al. 2019) between the held-out delta activations of each pair, tokens as rows."
      controls={layers.length > 0 && layer !== null ? <Choice label="layer" value={layer} options={layers} onChange={setLayer} /> : null}
      table={() => metricsTables(metrics).cka}
      tooltip={tip}
    >
      {layer === null ? <div className="panel-empty">Waiting for evaluation…</div> : <CkaFigure metrics={metrics} layer={layer} width={size + 90} height={size} tooltip={tip} />}
    </ChartFrame>
  );
}
