import type { ResultMetrics } from '../../formats/index.js';
import type { Series } from './lines-layout.js';
import type { MatrixInput } from './matrix-layout.js';

export const MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type WeightMode = 'frobenius' | 'relative';

/** Layer × module matrix of ‖scaling·B·A‖_F for one adapter, or relative to ‖W‖_F of the base weight. */
export function weightMatrix(m: ResultMetrics, adapter: string, mode: WeightMode): MatrixInput {
  const layers = [...new Set(m.weightSpace.map((w) => w.layer))].sort((a, b) => a - b);
  const at = new Map(m.weightSpace.filter((w) => w.adapter === adapter).map((w) => [`${w.layer}/${w.module}`, w]));
  return {
    rows: layers.map(String),
    cols: [...MODULES],
    values: layers.map((l) => MODULES.map((mod) => {
      const w = at.get(`${l}/${mod}`);
      return w ? (mode === 'frobenius' ? w.frobenius : w.relative) : null;
    })),
    scheme: 'sequential',
  };
}

/** Singular values of ΔW for every module of one (adapter, layer): how much of its rank the update uses. */
export function spectrumSeries(m: ResultMetrics, adapter: string, layer: number): Series[] {
  return m.weightSpace
    .filter((w) => w.adapter === adapter && w.layer === layer)
    .sort((a, b) => MODULES.indexOf(a.module) - MODULES.indexOf(b.module))
    .map((w, i) => ({
      key: w.module,
      label: w.module,
      color: ['#1971c2', '#2f9e44', '#f08c00', '#e03131', '#7048e8', '#0c8599', '#c2255c'][i % 7],
      dots: w.singularValues.length <= 32,
      points: w.singularValues.map((s, j) => ({ x: j + 1, y: s })),
    }));
}
