/** Tolerances of ../shared/fixtures/README.md §8 (float32 GPU implementation), in one table. */
export const TOL = {
  embed: 1e-6,
  resid: 1e-4,
  logits: 1e-4,
  /** max|got - ref| / max|resid_post[L]|, not / max|delta| */
  delta: 1e-4,
  heatmap: 1e-3,
  mergedVsUnmerged: 1e-5,
  quant: 1e-3,
  saeActs: 1e-5,
  saeMetrics: 1e-5,
  cosine: 1e-5,
  principalCos: 1e-5,
  principalAngle: 1e-4,
  cka: 1e-5,
  /** CPU float64 paths of the metrics issue */
  cpuMetrics: 1e-6,
  /** GPU paths of the metrics issue */
  gpuMetrics: 1e-4,
  trainLoss: 1e-4,
  grads: 1e-5,
  params: 1e-4,
  /** plain kernel tests against a float64 reference */
  kernel: 1e-5,
  /**
   * f16-staged products against a float64 product of f16-rounded inputs: each product is rounded to f16 (unit
   * roundoff 2^-11 ≈ 4.9e-4), so an output is off by at most 2^-11·Σ_k|a·b|, under 1e-3·max|y| for random inputs
   * in [-1, 1) (measured: about 1.5e-4).
   */
  f16Products: 1e-3,
  /** kernels with f16 products (4-term dot products rounded to f16, f32 sums) against a float64 reference on f16-rounded inputs */
  f16Kernel: 2e-3,
} as const;
