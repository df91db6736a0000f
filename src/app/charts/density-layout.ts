import type { ResultMetrics } from '../../formats/index.js';
import type { HistogramSeries } from './histogram-layout.js';
import type { Series } from './lines-layout.js';
import { adapterRank, CONTROL_COLORS } from './panel-data.js';
import { schemeTableau10 } from 'd3';

/** Mean L0 of the delta SAEs against adapter rank, one line per layer (depth). */
export function l0Series(m: ResultMetrics): Series[] {
  const layers = [...new Set(m.reconstruction.map((r) => r.layer))].sort((a, b) => a - b);
  return layers.map((layer, i) => ({
    key: `layer-${layer}`,
    label: `layer ${layer}`,
    color: schemeTableau10[(i + 4) % 10],
    dots: true,
    points: m.reconstruction
      .filter((r) => r.layer === layer)
      .map((r) => ({ x: adapterRank(m, r.adapter) ?? NaN, y: r.deltaSae.meanL0 }))
      .sort((a, b) => a.x - b.x),
  }));
}

/** Firing-frequency histograms (log10 of the fraction of tokens a latent fires on) at one (layer, adapter). */
export function densityHistograms(m: ResultMetrics, layer: number, adapter: string): HistogramSeries[] {
  const r = m.reconstruction.find((x) => x.layer === layer && x.adapter === adapter);
  if (!r) return [];
  const out: HistogramSeries[] = [{ key: 'delta', label: 'delta SAE', color: '#1971c2', histogram: r.deltaSae.density, style: 'bars' }];
  if (r.pretrainedDirect) out.push({ key: 'pretrained', label: 'pretrained, on delta', color: CONTROL_COLORS.pretrained, histogram: r.pretrainedDirect.density, style: 'step' });
  return out;
}
