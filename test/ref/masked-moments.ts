/** float64 reference of masked-moments.wgsl: per (group, column) mean and Σ(x − mean)² over rows with mask ≠ 0. */
export function maskedMomentsRef(x: ArrayLike<number>, mask: ArrayLike<number>, groups: number, rows: number, cols: number): { mean: Float64Array; m2: Float64Array } {
  const mean = new Float64Array(groups * cols);
  const m2 = new Float64Array(groups * cols);
  for (let g = 0; g < groups; g++) {
    for (let h = 0; h < cols; h++) {
      let n = 0;
      let s = 0;
      for (let r = 0; r < rows; r++) {
        if (!mask[r]) continue;
        s += x[(g * rows + r) * cols + h];
        n++;
      }
      const mu = n > 0 ? s / n : 0;
      let q = 0;
      for (let r = 0; r < rows; r++) if (mask[r]) q += (x[(g * rows + r) * cols + h] - mu) ** 2;
      mean[g * cols + h] = mu;
      m2[g * cols + h] = q;
    }
  }
  return { mean, m2 };
}
