import { expectShape, gemm, type Gpu, type GpuTensor } from '../gpu/index.js';

/** Options the SAE's products pass through to the shared gemm. */
export interface ProductOptions {
  bias?: GpuTensor;
  biasOffset?: number;
  /** 0 overwrites the output, 1 accumulates into it. */
  beta?: number;
  alpha?: number;
}

/**
 * out = x·wᵀ (+ bias[biasOffset..]): encoder pre-activations (w = W_encᵀ shard) and g_f (w = W_dec shard).
 * @param x [R, T]  @param w [S, T]  @param out [R, S]
 */
export function matmulABt(gpu: Gpu, x: GpuTensor, w: GpuTensor, out: GpuTensor, o: ProductOptions = {}): Promise<void> {
  const [R, T] = x.shape;
  const S = w.shape[0];
  expectShape('matmulABt: w', w, [S, T]);
  expectShape('matmulABt: out', out, [R, S]);
  return gemm(gpu, x, w, out, {
    M: R, N: S, K: T, batch: 1,
    a: { off: 0, sb: 0, sr: T, sc: 1 }, b: { off: 0, sb: 0, sr: 1, sc: T }, c: { off: 0, sb: 0, sr: S, sc: 1 },
  }, o);
}

/**
 * out = f·w (+ bias): the dense decoder.  @param f [R, T]  @param w [T, S]  @param out [R, S]
 */
export function matmulAB(gpu: Gpu, f: GpuTensor, w: GpuTensor, out: GpuTensor, o: ProductOptions = {}): Promise<void> {
  const [R, T] = f.shape;
  const S = w.shape[1];
  expectShape('matmulAB: w', w, [T, S]);
  expectShape('matmulAB: out', out, [R, S]);
  return gemm(gpu, f, w, out, {
    M: R, N: S, K: T, batch: 1,
    a: { off: 0, sb: 0, sr: T, sc: 1 }, b: { off: 0, sb: 0, sr: S, sc: 1 }, c: { off: 0, sb: 0, sr: S, sc: 1 },
  }, o);
}

/**
 * out = aᵀ·y: weight gradients summed over the batch.  @param a [T, R]  @param y [T, S]  @param out [R, S]
 */
export function matmulAtB(gpu: Gpu, a: GpuTensor, y: GpuTensor, out: GpuTensor, o: ProductOptions = {}): Promise<void> {
  const [T, R] = a.shape;
  const S = y.shape[1];
  expectShape('matmulAtB: y', y, [T, S]);
  expectShape('matmulAtB: out', out, [R, S]);
  return gemm(gpu, a, y, out, {
    M: R, N: S, K: T, batch: 1,
    a: { off: 0, sb: 0, sr: 1, sc: R }, b: { off: 0, sb: 0, sr: S, sc: 1 }, c: { off: 0, sb: 0, sr: S, sc: 1 },
  }, o);
}

/**
 * out[1, S] (+)= alpha · v[off : off + T] · w, a row vector times a [T, S] matrix (b_dec's share of the
 * encoder-bias gradient when b_dec is subtracted from the input).
 */
export function rowTimesMatrix(gpu: Gpu, v: GpuTensor, off: number, w: GpuTensor, out: GpuTensor, o: ProductOptions = {}): Promise<void> {
  const [T, S] = w.shape;
  return gemm(gpu, v, w, out, {
    M: 1, N: S, K: T, batch: 1,
    a: { off, sb: 0, sr: 0, sc: 1 }, b: { off: 0, sb: 0, sr: S, sc: 1 }, c: { off: 0, sb: 0, sr: S, sc: 1 },
  }, o);
}
