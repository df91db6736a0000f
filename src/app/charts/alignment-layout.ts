import type { Alignment, ResultMetrics } from '../../formats/index.js';
import type { HistogramSeries } from './histogram-layout.js';
import type { MatrixInput } from './matrix-layout.js';
import { adapterOrder, CONTROL_COLORS, layerOrder } from './panel-data.js';

/** Layer × adapter matrix of the mean best cosine of delta-SAE decoder rows against the pretrained decoder. */
export function alignmentMatrix(m: ResultMetrics): MatrixInput {
  const layers = layerOrder(m);
  const adapters = adapterOrder(m);
  const at = new Map(m.alignment.map((a) => [`${a.layer}/${a.adapter}`, a]));
  return {
    rows: layers.map(String),
    cols: adapters,
    values: layers.map((l) => adapters.map((a) => at.get(`${l}/${a}`)?.observed.meanMaxCos ?? null)),
    domain: [0, 1],
    scheme: 'sequential',
  };
}

/** The cell's max-cosine histogram drawn against its controls: ceiling (seed pair), floor (random), random LoRA. */
export function cosineHistograms(a: Alignment): HistogramSeries[] {
  const out: HistogramSeries[] = [{ key: 'observed', label: `${a.adapter} vs pretrained`, color: '#1971c2', histogram: a.observed.histogram, style: 'bars' }];
  if (a.ceiling) out.push({ key: 'ceiling', label: 'ceiling: seed vs seed', color: CONTROL_COLORS.ceiling, histogram: a.ceiling.histogram, style: 'step' });
  if (a.floor) out.push({ key: 'floor', label: 'floor: random directions', color: CONTROL_COLORS.floor, histogram: a.floor.histogram, style: 'step' });
  if (a.randomLora) out.push({ key: 'randomLora', label: 'random LoRA vs pretrained', color: CONTROL_COLORS.randomLora, histogram: a.randomLora.histogram, style: 'step' });
  return out;
}
