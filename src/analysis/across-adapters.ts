/**
 * Adapters compared with each other at one layer: do they move the stream the same way (cosine between their
 * mean deltas), and do their delta SAEs learn the same features (mean best cosine between dictionaries)?
 */
import { maxCosine, mean } from './cpu/cosine.js';
import type { MatrixLike } from './cpu/matrix.js';

/** cos(v_i, v_j) for every pair, in float64 (the diagonal exactly 1); 0 where either vector is zero (no direction to compare). */
export function directionCosines(vectors: readonly ArrayLike<number>[]): number[][] {
  const norms = vectors.map((v) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    return Math.sqrt(s);
  });
  return vectors.map((a, i) =>
    vectors.map((b, j) => {
      if (a.length !== b.length) throw new Error(`directionCosines: vectors of ${a.length} and ${b.length} values`);
      if (norms[i] === 0 || norms[j] === 0) return 0;
      if (i === j) return 1;
      let dot = 0;
      for (let c = 0; c < a.length; c++) dot += a[c] * b[c];
      return dot / (norms[i] * norms[j]);
    }),
  );
}

/**
 * m[i][j] = mean over the rows (latents) of decoder i of their best cosine with any row of decoder j. Directed:
 * row → column, so m[i][j] ≠ m[j][i] in general (a small dictionary can sit inside a large one). Diagonal 1.
 */
export function dictionaryCosines(decoders: readonly MatrixLike[]): number[][] {
  const n = decoders.length;
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mc = maxCosine(decoders[i], decoders[j]);
      m[i][j] = mean(mc.maxCosA);
      m[j][i] = mean(mc.maxCosB);
    }
  }
  return m;
}

/**
 * m[i][j] = mean over the rows of rows[i] of their best cosine with any row of cols[j], every pair computed
 * (rows[i] and cols[i] are two dictionaries of the same adapter, so the diagonal is its seed-to-seed agreement).
 */
export function crossDictionaryCosines(rows: readonly MatrixLike[], cols: readonly MatrixLike[]): number[][] {
  return rows.map((r) => cols.map((c) => mean(maxCosine(r, c).maxCosA)));
}
