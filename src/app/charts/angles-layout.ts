import type { ResultMetrics } from '../../formats/index.js';
import type { Series } from './lines-layout.js';
import { adapterColor, adapterOrder } from './panel-data.js';

const DEG = 180 / Math.PI;

/** Principal angles (degrees, ascending) between top-k decoder subspaces at one layer; the floor dashed. */
export function angleSeries(m: ResultMetrics, layer: number, k: number): Series[] {
  const order = adapterOrder(m);
  const rows = m.principalAngles.filter((p) => p.layer === layer && p.k === k).sort((a, b) => order.indexOf(a.adapter) - order.indexOf(b.adapter));
  const out: Series[] = rows.map((p) => ({
    key: p.adapter,
    label: p.adapter,
    color: adapterColor(m, p.adapter),
    dots: p.angles.length <= 32,
    points: p.angles.map((a, i) => ({ x: i + 1, y: a * DEG })),
  }));
  const floor = rows.find((p) => p.floor)?.floor;
  if (floor) out.push({ key: 'floor', label: 'random subspace', color: '#868e96', dashed: true, points: floor.map((a, i) => ({ x: i + 1, y: a * DEG })) });
  return out;
}

export function angleKs(m: ResultMetrics): number[] {
  return [...new Set(m.principalAngles.map((p) => p.k))].sort((a, b) => a - b);
}
