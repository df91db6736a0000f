import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { acrossLayers, acrossMatrix } from './across-adapters-layout.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { MatrixSvg } from './matrix-chart.js';
import { SvgRoot } from './svg-parts.js';

interface FigureProps {
  metrics: ResultMetrics;
  layer: number;
  width: number;
  height: number;
  tooltip?: ReturnType<typeof useTooltip>;
}

/** Both adapter × adapter matrices of one layer side by side: mean-delta direction cosines, dictionary mean best cosines. */
export function AcrossAdaptersFigure({ metrics, layer, width, height, tooltip }: FigureProps) {
  const half = Math.floor(width / 2);
  const direction = acrossMatrix(metrics, layer, 'direction');
  const dictionary = acrossMatrix(metrics, layer, 'dictionary');
  if (!direction || !dictionary) return null;
  return (
    <SvgRoot width={width} height={height} title={`Adapters compared, layer ${layer}`}>
      <g data-matrix="direction">
        <MatrixSvg input={direction} width={half} height={height} title={`Mean-delta direction cosine, layer ${layer}`} xLabel="adapter" yLabel="adapter" valueLabel="cos(d̄ᵢ, d̄ⱼ)" onHover={tooltip?.show} onLeave={tooltip?.hide} />
      </g>
      <g data-matrix="dictionary" transform={`translate(${half},0)`}>
        <MatrixSvg
          input={dictionary}
          width={width - half}
          height={height}
          title={`Delta-SAE dictionary mean best cosine, layer ${layer}`}
          xLabel={metrics.acrossAdapters.find((a) => a.layer === layer)?.crossSeed ? 'adapter (matched in, second seed)' : 'adapter (matched in)'}
          yLabel="adapter (latents of, first seed)"
          valueLabel="mean best cosine"
          onHover={tooltip?.show}
          onLeave={tooltip?.hide}
        />
      </g>
    </SvgRoot>
  );
}

export function AcrossAdaptersPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = acrossLayers(metrics);
  const [sel, setSel] = useState<number | null>(null);
  const layer = pick(sel, layers);
  const tooltip = useTooltip();
  const entry = metrics.acrossAdapters.find((a) => a.layer === layer);
  const n = entry?.labels.length ?? 1;
  const crossSeed = entry?.crossSeed ?? false;
  return (
    <ChartFrame
      name="across-adapters"
      title="Across adapters: same direction, same features?"
      caption={
        <>
          Left: cosine between the adapters&apos; mean deltas d̄ (over text tokens, BOS excluded, as the lens takes it). Right: for the first-seed delta SAE of the row adapter, the mean over its
          latents of the best cosine with any latent of the column adapter&apos;s {crossSeed ? 'second-seed' : 'first-seed'} SAE (directed, row → column); hatched until the SAEs are trained.{' '}
          {crossSeed
            ? 'Every adapter’s SAEs of one seed share their initialisation, so rows and columns come from different seeds: the diagonal is each adapter’s seed-to-seed agreement, the ceiling an off-diagonal cell can be read against.'
            : 'Without a second seed (the ceiling control is off) both sides are first-seed SAEs, which start from the same initialisation: briefly trained SAEs read high here by construction.'}
        </>
      }
      controls={layer !== null ? <Choice label="layer" value={layer} options={layers} onChange={setSel} /> : null}
      table={() => metricsTables(metrics).across_adapters}
      tooltip={tooltip}
    >
      {layer === null ? (
        <div className="panel-empty">No across-adapter matrices yet: the directions come with the extraction, the dictionaries with evaluation.</div>
      ) : (
        <AcrossAdaptersFigure metrics={metrics} layer={layer} width={width} height={Math.min(Math.max(240, 90 + 46 * n), Math.floor(width / 2) + 40)} tooltip={tooltip} />
      )}
    </ChartFrame>
  );
}
