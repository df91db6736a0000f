import type { ResultMetrics } from '../../formats/index.js';
import type { MatrixInput } from './matrix-layout.js';

export type AcrossKind = 'direction' | 'dictionary';

/** Adapter × adapter at one layer: mean-delta cosines (diverging about 0) or dictionary mean best cosines. */
export function acrossMatrix(m: ResultMetrics, layer: number, kind: AcrossKind): MatrixInput | null {
  const a = m.acrossAdapters.find((x) => x.layer === layer);
  if (!a) return null;
  if (kind === 'direction') return { rows: a.labels, cols: a.labels, values: a.directionCosine, domain: [-1, 1], scheme: 'diverging' };
  return { rows: a.labels, cols: a.labels, values: a.dictionaryCosine ?? a.labels.map(() => a.labels.map(() => null)), domain: [0, 1], scheme: 'sequential' };
}

export function acrossLayers(m: ResultMetrics): number[] {
  return [...new Set(m.acrossAdapters.map((a) => a.layer))].sort((a, b) => a - b);
}
