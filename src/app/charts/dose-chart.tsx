import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { doseChoices, doseLatentSeries, doseLinearitySeries, doseNormSeries } from './dose-layout.js';
import { HistogramSvg } from './histogram-chart.js';
import { LinesSvg } from './lines-chart.js';
import { adapterColor } from './panel-data.js';

type Tip = ReturnType<typeof useTooltip>;

const LINEARITY_TEXT =
  'Linearity score = 1 − R² of the least-squares fit Δa(α) = c·α through the origin, with Δa(α) the latent\'s mean activation at α minus that at α = 0 (uncentred R²): 0 = amplified in proportion, towards 1 = emerges past a threshold or saturates. Onset: the smallest α whose Δa reaches 20 % of Δa(2).';

export function DoseNormFigure({ metrics, layer, width, height, tooltip }: { metrics: ResultMetrics; layer: number; width: number; height: number; tooltip?: Tip }) {
  return (
    <LinesSvg
      series={doseNormSeries(metrics, layer)}
      width={width}
      height={height}
      title={`Mean ‖delta‖ against the adapter scaling multiplier α, layer ${layer}`}
      xLabel="α (scaling multiplier)"
      yLabel="mean ‖delta‖"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function DoseLatentFigure({ metrics, layer, adapter, width, height, tooltip }: { metrics: ResultMetrics; layer: number; adapter: string; width: number; height: number; tooltip?: Tip }) {
  const d = metrics.dose.find((x) => x.layer === layer && x.adapter === adapter);
  return (
    <LinesSvg
      series={d ? doseLatentSeries(d) : []}
      width={width}
      height={height}
      title={`Delta-SAE latents' mean activation against α, ${adapter}, layer ${layer}`}
      xLabel="α (scaling multiplier)"
      yLabel="mean activation"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

export function DoseLinearityFigure({ metrics, layer, adapter, width, height, tooltip }: { metrics: ResultMetrics; layer: number; adapter: string; width: number; height: number; tooltip?: Tip }) {
  const d = metrics.dose.find((x) => x.layer === layer && x.adapter === adapter);
  return (
    <HistogramSvg
      series={d ? doseLinearitySeries(d, adapterColor(metrics, adapter)) : []}
      width={width}
      height={height}
      title={`Linearity scores of the responsive latents, ${adapter}, layer ${layer}`}
      xLabel="1 − R² of Δa = c·α (0 = proportional)"
      onHover={tooltip?.show}
      onLeave={tooltip?.hide}
    />
  );
}

/** Dose-response: how the delta and the delta-SAE latents grow as each adapter's scaling is multiplied by α. */
export function DosePanels({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const { layers, adapters } = doseChoices(metrics);
  const [layerSel, setLayer] = useState<number | null>(null);
  const [adapterSel, setAdapter] = useState<string | null>(null);
  const normTip = useTooltip();
  const latentTip = useTooltip();
  const layer = pick(layerSel, layers);
  const adapter = pick(adapterSel, adapters);
  if (layer === null || adapter === null) return null;
  const d = metrics.dose.find((x) => x.layer === layer && x.adapter === adapter);
  const scope = d ? `${d.tokens} text tokens of ${d.sequences} held-out sequences` : '';
  return (
    <>
      <ChartFrame
        name="dose-norms"
        title="Dose-response: delta norm"
        caption={<>Each adapter's scaling multiplied by α, run as extra streams of one batch: mean per-token ‖delta‖ at each α ({scope}). α = 0 is the base model, α = 1 the adapter as trained.</>}
        controls={<Choice label="layer" value={layer} options={layers} onChange={setLayer} />}
        table={() => metricsTables(metrics).dose_norms}
        tooltip={normTip}
      >
        <DoseNormFigure metrics={metrics} layer={layer} width={width} height={280} tooltip={normTip} />
      </ChartFrame>
      <ChartFrame
        name="dose-latents"
        title="Dose-response: delta-SAE latents"
        caption={
          <>
            Mean activation of the delta SAE's latents (trained at α = 1) at each α, for the {d?.latents.length ?? 0} that change most of {d?.responsive ?? 0} responsive ones (max |Δa| ≥ 1 % of the strongest); below, the
            histogram of every responsive latent's score. {LINEARITY_TEXT}
          </>
        }
        controls={
          <>
            <Choice label="layer" value={layer} options={layers} onChange={setLayer} />
            <Choice label="adapter" value={adapter} options={adapters} onChange={setAdapter} />
          </>
        }
        table={() => metricsTables(metrics).dose_latents}
        tooltip={latentTip}
      >
        <DoseLatentFigure metrics={metrics} layer={layer} adapter={adapter} width={width} height={340} tooltip={latentTip} />
        <DoseLinearityFigure metrics={metrics} layer={layer} adapter={adapter} width={width} height={200} tooltip={latentTip} />
      </ChartFrame>
    </>
  );
}
