import { schemeTableau10 } from 'd3';
import type { Dose, ResultMetrics } from '../../formats/index.js';
import { fmtExact } from './axis-ticks.js';
import type { HistogramSeries } from './histogram-layout.js';
import type { Series } from './lines-layout.js';
import { adapterColor, adapterSortKey } from './panel-data.js';

/** Layers and adapters that have dose-response rows, in display order. */
export function doseChoices(m: ResultMetrics): { layers: number[]; adapters: string[] } {
  const layers = [...new Set(m.dose.map((d) => d.layer))].sort((a, b) => a - b);
  const adapters = [...new Set(m.dose.map((d) => d.adapter))].sort((a, b) => adapterSortKey(m, a) - adapterSortKey(m, b));
  return { layers, adapters };
}

/** Mean ‖delta‖ against α at one layer, one line per adapter (series key = adapter). */
export function doseNormSeries(m: ResultMetrics, layer: number): Series[] {
  const { adapters } = doseChoices(m);
  return adapters.flatMap((adapter) => {
    const d = m.dose.find((x) => x.layer === layer && x.adapter === adapter);
    return d ? [{ key: adapter, label: adapter, color: adapterColor(m, adapter), dots: true, points: d.alphas.map((x, i) => ({ x, y: d.meanDeltaNorm[i] })) }] : [];
  });
}

export function doseLatentLabel(l: Dose['latents'][number]): string {
  return `#${l.latent} · 1−R² ${fmtExact(Number(l.linearity.toPrecision(2)))}${l.onset === null ? '' : ` · onset α ${l.onset}`}`;
}

/** Mean activation against α of the reported latents of one (layer, adapter) (series key = `latent-<index>`). */
export function doseLatentSeries(d: Dose): Series[] {
  return d.latents.map((l, i) => ({
    key: `latent-${l.latent}`,
    label: doseLatentLabel(l),
    color: schemeTableau10[i % schemeTableau10.length],
    dashed: i >= schemeTableau10.length,
    dots: true,
    points: d.alphas.map((x, k) => ({ x, y: l.means[k] })),
  }));
}

export function doseLinearitySeries(d: Dose, color: string): HistogramSeries[] {
  return [{ key: 'linearity', label: `${d.responsive} responsive latents`, color, histogram: d.linearity, style: 'bars' }];
}
