import type { ResultMetrics } from '../../formats/index.js';
import type { MatrixInput } from './matrix-layout.js';
import { adapterOrder, layerOrder } from './panel-data.js';

export type NormMode = 'absolute' | 'relative';

/**
 * Layer × adapter matrix of mean per-token ‖delta‖ (BOS excluded), absolute or relative to the mean
 * ‖resid_post‖ of the base model at that layer.
 */
export function deltaNormMatrix(m: ResultMetrics, mode: NormMode): MatrixInput {
  const layers = layerOrder(m);
  const adapters = adapterOrder(m);
  const at = new Map(m.deltaNorms.map((d) => [`${d.layer}/${d.adapter}`, d]));
  return {
    rows: layers.map(String),
    cols: adapters,
    values: layers.map((l) =>
      adapters.map((a) => {
        const d = at.get(`${l}/${a}`);
        if (!d) return null;
        if (mode === 'absolute') return d.meanDeltaNorm;
        return d.meanBaseNorm > 0 ? d.meanDeltaNorm / d.meanBaseNorm : null;
      }),
    ),
    scheme: 'sequential',
  };
}
