import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { angleKs, angleSeries } from './angles-layout.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { LinesSvg } from './lines-chart.js';
import { layersWith } from './panel-data.js';

export function AnglesFigure({ metrics, layer, k, width, height, tooltip }: { metrics: ResultMetrics; layer: number; k: number; width: number; height: number; tooltip?: ReturnType<typeof useTooltip> }) {
  return (
    <LinesSvg
      series={angleSeries(metrics, layer, k)}
      width={width}
      height={height}
      title={`Principal angles between top-${k} decoder subspaces, layer ${layer}`}
      xLabel="index"
      yLabel="angle (degrees)"
      options={{ yDomain: [0, 90] }}
      empty="waiting for evaluation…"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function AnglesPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = layersWith(metrics, metrics.principalAngles);
  const ks = angleKs(metrics);
  const [layerSel, setLayer] = useState<number | null>(null);
  const [kSel, setK] = useState<number | null>(null);
  const layer = pick(layerSel, layers) ?? 0;
  const k = pick(kSel, ks) ?? 8;
  const tip = useTooltip();
  return (
    <ChartFrame
      name="principal-angles"
      title="Principal angles: delta SAE vs pretrained subspace"
      caption="Angles between the top-k right singular subspaces of the two decoders (0° = shared direction, 90° = orthogonal); dashed = two random subspaces."
      controls={<><Choice label="layer" value={layer} options={layers} onChange={setLayer} /><Choice label="k" value={k} options={ks.length ? ks : [k]} onChange={setK} /></>}
      table={() => metricsTables(metrics).principal_angles}
      tooltip={tip}
    >
      <AnglesFigure metrics={metrics} layer={layer} k={k} width={width} height={260} tooltip={tip} />
    </ChartFrame>
  );
}
