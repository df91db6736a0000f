import type { ResultMetrics } from '../../formats/index.js';
import type { MatrixInput } from './matrix-layout.js';

/** Linear CKA between the representations at one layer (adapters' deltas, and the base when recorded). */
export function ckaMatrix(m: ResultMetrics, layer: number): MatrixInput | null {
  const c = m.cka.find((x) => x.layer === layer);
  if (!c) return null;
  return { rows: c.labels, cols: c.labels, values: c.matrix, domain: [0, 1], scheme: 'sequential' };
}
