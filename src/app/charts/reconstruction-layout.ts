import type { ResultMetrics } from '../../formats/index.js';
import type { BarsInput } from './bars-layout.js';
import type { Series } from './lines-layout.js';
import { adapterColor, adapterOrder, adapterSortKey, CONTROL_COLORS } from './panel-data.js';

export type CurveMetric = 'loss' | 'fvu';

/** Training loss (every logged step) or held-out FVU (every evaluation) over steps, one line per adapter and seed. */
export function curveSeries(m: ResultMetrics, layer: number, metric: CurveMetric): Series[] {
  return m.training
    .filter((t) => t.layer === layer)
    .sort((a, b) => adapterSortKey(m, a.adapter) - adapterSortKey(m, b.adapter) || a.adapter.localeCompare(b.adapter) || a.seed - b.seed)
    .map((t, i, all) => {
      const first = all.findIndex((u) => u.adapter === t.adapter) === i;
      return {
        key: `${t.adapter}/${t.seed}`,
        label: first ? t.adapter : `${t.adapter} (seed ${t.seed})`,
        color: adapterColor(m, t.adapter),
        dashed: !first,
        dots: metric === 'fvu' && t.heldOut.length <= 40,
        points: metric === 'loss' ? t.points.map((p) => ({ x: p.step, y: p.loss })) : t.heldOut.map((h) => ({ x: h.step, y: h.fvu })),
      };
    });
}

export const RECON_SERIES = [
  { key: 'delta', label: 'delta SAE', color: '#1971c2' },
  { key: 'direct', label: 'pretrained, on delta', color: CONTROL_COLORS.pretrained },
  { key: 'diff', label: 'pretrained, SAE(ft) − SAE(base)', color: '#d6336c' },
];

/** Held-out FVU per adapter at one layer: the delta SAE against the pretrained dictionary used two ways. */
export function reconstructionBars(m: ResultMetrics, layer: number): BarsInput {
  const adapters = adapterOrder(m).filter((a) => m.reconstruction.some((r) => r.layer === layer && r.adapter === a));
  return {
    groups: adapters,
    series: RECON_SERIES,
    values: adapters.map((a) => {
      const r = m.reconstruction.find((x) => x.layer === layer && x.adapter === a);
      const cell = (e: { fvu: number; fvuInterval: [number, number] | null } | null | undefined) => (e ? { value: e.fvu, interval: e.fvuInterval } : null);
      return [cell(r?.deltaSae), cell(r?.pretrainedDirect), cell(r?.pretrainedDiff)];
    }),
  };
}
