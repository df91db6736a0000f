import { SafetensorsFile, writeSafetensors, type LoraAdapter, type TensorToWrite } from '../formats/index.js';
import { compareDecoders, type CompareOptions, type DecoderComparison } from './compare-decoders.js';
import type { MatrixLike } from './cpu/matrix.js';
import { Rng } from './random.js';

/**
 * The ceiling: two delta SAEs trained with different seeds on the same data, compared with each other.
 * Any alignment with a pretrained dictionary is read against this seed-to-seed alignment.
 */
export function seedCeiling(decoderSeedA: MatrixLike, decoderSeedB: MatrixLike, options: CompareOptions = {}): DecoderComparison {
  return compareDecoders(decoderSeedA, decoderSeedB, options);
}

/** The floor: `count` random unit directions in R^dim (isotropic Gaussian, normalised), seeded. [count, dim] */
export function randomUnitDirections(count: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      row[j] = rng.normal();
      s += row[j] * row[j];
    }
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[i * dim + j] = row[j] * inv;
  }
  return out;
}

/** The null distribution of a row's max cosine against `others` random unit directions in R^dim. */
export interface MaxCosineNull {
  dim: number;
  others: number;
  /** E[max cos] */
  mean: number;
  /** grid of cosines over (-1, 1] and P(max cos ≤ c) at each */
  grid: Float64Array;
  cdf: Float64Array;
  /** the cosine below which a fraction p of rows' max cos falls */
  quantile(p: number): number;
}

/**
 * Analytic null for the floor: for a fixed unit vector and a uniformly random unit direction in R^d, the
 * cosine has density ∝ (1 − c²)^((d−3)/2) on [−1, 1]; the max over n independent directions has CDF F(c)ⁿ.
 * F is integrated numerically in log space on `cells` midpoints (no endpoint singularity for d = 2).
 */
export function maxCosineNull(dim: number, others: number, cells = 20000): MaxCosineNull {
  if (!(dim >= 2) || !(others >= 1)) throw new Error(`maxCosineNull needs dim ≥ 2 and others ≥ 1, got ${dim}, ${others}`);
  const h = 2 / cells;
  const grid = new Float64Array(cells);
  const logf = new Float64Array(cells);
  let peak = -Infinity;
  for (let i = 0; i < cells; i++) {
    const c = -1 + (i + 0.5) * h;
    grid[i] = c;
    logf[i] = ((dim - 3) / 2) * Math.log1p(-c * c);
    peak = Math.max(peak, logf[i]);
  }
  const cdf = new Float64Array(cells);
  let total = 0;
  for (let i = 0; i < cells; i++) {
    total += Math.exp(logf[i] - peak);
    cdf[i] = total;
  }
  let mean = -1;
  let prev = 0;
  for (let i = 0; i < cells; i++) {
    // F at the right edge of cell i, raised to n in log space; E[max] = −1 + ∫(1 − Fⁿ) dc by trapezoids.
    const f = cdf[i] / total;
    cdf[i] = f >= 1 ? 1 : Math.exp(others * Math.log(f));
    mean += (1 - (prev + cdf[i]) / 2) * h;
    prev = cdf[i];
  }
  const edges = Float64Array.from(grid, (c) => c + h / 2);
  return {
    dim,
    others,
    mean,
    grid: edges,
    cdf,
    quantile(p: number): number {
      let lo = 0;
      let hi = cells - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] >= p) hi = mid;
        else lo = mid + 1;
      }
      return edges[lo];
    },
  };
}

/** Floor comparison: `decoder` against random unit directions matched in count and dimension. */
export function randomFloor(decoder: MatrixLike, seed: number, options: CompareOptions = {}): DecoderComparison {
  const random = { rows: decoder.rows, cols: decoder.cols, data: randomUnitDirections(decoder.rows, decoder.cols, seed) };
  return compareDecoders(decoder, random, options);
}

/** ‖B·A‖_F² = tr((BᵀB)(AAᵀ)) from r×r products, never forming the [out, in] matrix. */
export function loraProductNormSquared(a: ArrayLike<number>, b: ArrayLike<number>, r: number, inDim: number, outDim: number): number {
  const btb = new Float64Array(r * r);
  for (let o = 0; o < outDim; o++) for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) btb[i * r + j] += b[o * r + i] * b[o * r + j];
  const aat = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      let s = 0;
      for (let c = 0; c < inDim; c++) s += a[i * inDim + c] * a[j * inDim + c];
      aat[i * r + j] = s;
      aat[j * r + i] = s;
    }
  }
  let tr = 0;
  for (let i = 0; i < r * r; i++) tr += btb[i] * aat[i];
  return Math.max(0, tr);
}

/**
 * The referee's control: an adapter with the same modules, ranks and scalings, whose A and B are Gaussian
 * random and scaled (both by the same factor) so that each module's ‖scaling·B·A‖_F equals the real one's.
 * Returns a LoraAdapter the engine runs like the real one (its weights live in memory).
 */
export async function normMatchedRandomLora(adapter: LoraAdapter, seed: number, name = `${adapter.name}-random`): Promise<LoraAdapter> {
  const tensors: Record<string, TensorToWrite> = {};
  const rng = new Rng(seed);
  for (const mod of adapter.modules) {
    const { r, inFeatures: inDim, outFeatures: outDim } = mod;
    const target = loraProductNormSquared(await adapter.weights.readF32(mod.aName), await adapter.weights.readF32(mod.bName), r, inDim, outDim);
    const a = Float32Array.from({ length: r * inDim }, () => rng.normal());
    const b = Float32Array.from({ length: outDim * r }, () => rng.normal());
    const current = loraProductNormSquared(a, b, r, inDim, outDim);
    // ‖(fB)(fA)‖ = f²‖BA‖, so f = (target/current)^(1/4) matches the norm and keeps A and B balanced.
    const f = current > 0 ? Math.pow(target / current, 0.25) : 0;
    for (let i = 0; i < a.length; i++) a[i] *= f;
    for (let i = 0; i < b.length; i++) b[i] *= f;
    tensors[mod.aName] = { dtype: 'F32', shape: [r, inDim], data: a };
    tensors[mod.bName] = { dtype: 'F32', shape: [outDim, r], data: b };
  }
  const bytes = writeSafetensors(tensors, { format: 'pt', control: 'norm-matched-random-lora', source: adapter.name, seed: String(seed) });
  const weights = await SafetensorsFile.open(bytes, `${name}/adapter_model.safetensors`);
  return { name, config: adapter.config, modules: adapter.modules.map((m) => ({ ...m })), weights };
}

/** A percentile bootstrap interval. */
export interface BootstrapCi {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
}

export interface BootstrapOptions {
  /** default 1000 */
  resamples?: number;
  /** confidence level, default 0.95 */
  level?: number;
  seed?: number;
}

/**
 * Percentile bootstrap over tokens: `statistic` gets the indices of a resample (with replacement, n of them)
 * and returns the metric on those tokens; the estimate is the statistic on all tokens.
 */
export function bootstrapCi(n: number, statistic: (indices: Int32Array) => number, options: BootstrapOptions = {}): BootstrapCi {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (n < 1) throw new Error('bootstrap needs at least one token');
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap level ${level} must be in (0, 1)`);
  const rng = new Rng(options.seed ?? 0);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const stats = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let s = 0; s < resamples; s++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    stats[s] = statistic(idx);
  }
  stats.sort();
  const q = (p: number) => {
    const pos = p * (resamples - 1);
    const i = Math.floor(pos);
    const frac = pos - i;
    return i + 1 < resamples ? stats[i] * (1 - frac) + stats[i + 1] * frac : stats[i];
  };
  return { estimate: statistic(all), lo: q((1 - level) / 2), hi: q((1 + level) / 2), level, resamples };
}

/** Bootstrap CI of the mean of per-token values (e.g. per-token SSE / d for the MSE). */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapCi {
  return bootstrapCi(
    values.length,
    (idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += values[idx[i]];
      return s / idx.length;
    },
    options,
  );
}

/**
 * Bootstrap intervals over tokens for MSE and FVU: each resample recomputes Σ(x − recon)² and the centred
 * Σ(x − mean)² on the same resampled tokens (FVU is a ratio, so its numerator and denominator move together).
 * @param sseRows [n] per-token squared error (ReconstructionMetrics.sseRows)
 * @param x [n, d] the inputs
 */
export function bootstrapReconstruction(sseRows: ArrayLike<number>, x: ArrayLike<number>, d: number, options: BootstrapOptions = {}): { mse: BootstrapCi; fvu: BootstrapCi } {
  const n = sseRows.length;
  if (x.length !== n * d) throw new Error(`inputs have ${x.length} values, expected ${n} × ${d}`);
  const sumX = new Float64Array(d);
  const fvu = (idx: Int32Array) => {
    let sse = 0;
    let sq = 0;
    sumX.fill(0);
    for (const r of idx) {
      sse += sseRows[r];
      for (let j = 0; j < d; j++) {
        const v = x[r * d + j];
        sq += v * v;
        sumX[j] += v;
      }
    }
    let centred = sq;
    for (const s of sumX) centred -= (s * s) / idx.length;
    return sse / centred;
  };
  const mse = (idx: Int32Array) => {
    let sse = 0;
    for (const r of idx) sse += sseRows[r];
    return sse / (idx.length * d);
  };
  return { mse: bootstrapCi(n, mse, options), fvu: bootstrapCi(n, fvu, options) };
}
