import { expect } from 'vitest';
import { referenceOrder } from '../ref/analysis-lens.js';

interface Side {
  id: number;
  z: number;
}

/**
 * The acceptance rule for a lens readout against the float64 reference z: at every rank the same
 * id as the reference wherever the reference values there are separated from their neighbours by more
 * than `sep` relative to max|z| (closer ones may swap), and every reported z within `tol` · max|z| of the
 * reference z of the same id.
 */
export function expectLensMatches(got: { promoted: Side[]; suppressed: Side[] }, z: Float64Array, top: number, what: string, tol = 1e-5, sep = 1e-6): void {
  const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const side of ['promoted', 'suppressed'] as const) {
    const order = referenceOrder(z, side);
    const list = got[side];
    expect(list.length, `${what} ${side}: count`).toBe(Math.min(top, z.length));
    for (let i = 0; i < list.length; i++) {
      const gap = Math.min(i > 0 ? Math.abs(z[order[i]] - z[order[i - 1]]) : Infinity, i + 1 < order.length ? Math.abs(z[order[i]] - z[order[i + 1]]) : Infinity);
      if (gap > sep * scale) expect(list[i].id, `${what} ${side}[${i}]: id`).toBe(order[i]);
      const err = Math.abs(list[i].z - z[list[i].id]) / scale;
      expect(err, `${what} ${side}[${i}] (id ${list[i].id}): z ${list[i].z} vs ${z[list[i].id]}`).toBeLessThanOrEqual(tol);
    }
  }
}
