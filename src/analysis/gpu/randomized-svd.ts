import { throwIfAborted } from '../../errors/index.js';
import { matmul, matmulTransA, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import { leadingColumns, matmul as matmul64, matmulTN, zeros, type Matrix } from '../cpu/matrix.js';
import { principalAngles } from '../cpu/subspace.js';
import { qr, symmetricEigen } from '../cpu/svd.js';
import { Rng } from '../random.js';
import { readRows, withShape, type RowMatrix } from './row-source.js';

export interface RandomizedSvdOptions {
  /** extra directions beyond k in the sketch (default max(10, k)) */
  oversample?: number;
  /** stop when the top-k subspace moves less than this between iterations, in radians (default 1e-6) */
  tolerance?: number;
  /** cap on subspace iterations with AᵀA (default 100; decoders have flat spectra, so convergence can be slow) */
  maxIterations?: number;
  seed?: number;
  /** largest chunk of A's rows per GPU product (default: the binding limit, at most 16384 rows) */
  chunkRows?: number;
  /** keep A's chunks on the GPU across iterations when they total at most this many bytes (default 512 MiB) */
  residentBytes?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Top-k right singular vectors [d, k] (columns) and singular values of a [rows, d]. */
export interface TopSubspace {
  v: Matrix;
  singularValues: Float64Array;
  /** subspace iterations run, and the last iteration's move of the top-k subspace (radians) */
  iterations: number;
  lastChange: number;
}

function toF32(m: Matrix): Float32Array {
  return Float32Array.from(m.data);
}

/**
 * Randomised SVD for big decoders (Halko, Martinsson & Tropp 2011: subspace iteration with Rayleigh–Ritz in the
 * d-dim row space): Q ← orth(Gaussian [d, l]); each iteration Z = AᵀA·Q, M = QᵀZ [l, l] = W Λ Wᵀ, Ritz vectors
 * Q·W (σ = √Λ), next Q = orth(Z·W); until the top-k Ritz subspace moves less than `tolerance`.
 * The products stream row chunks of A through the GPU (Y = C·Q, Z += Cᵀ·Y); QR and the l×l eigenproblem run
 * on the CPU in float64.
 * @param a [rows, d]
 */
export async function randomizedTopSubspaceGpu(gpu: Gpu, a: RowMatrix, k: number, options: RandomizedSvdOptions = {}): Promise<TopSubspace> {
  const d = a.cols;
  const limit = Math.min(a.rows, d);
  if (!Number.isInteger(k) || k < 1 || k > limit) throw new Error(`k = ${k} must be an integer in 1..${limit} (min of [${a.rows}, ${d}])`);
  const l = Math.min(limit, k + (options.oversample ?? Math.max(10, k)));
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const bindRows = Math.floor(Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize) / (4 * Math.max(d, l)));
  const chunk = Math.max(1, Math.min(a.rows, bindRows, options.chunkRows ?? 16384));
  const resident = a.rows * d * 4 <= (options.residentBytes ?? 512 * 1024 * 1024);
  const rng = new Rng(options.seed ?? 0);
  const g = zeros(d, l);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal();
  let q = qr(g).q;

  const owned: GpuTensor[] = [];
  const chunks: { start: number; rows: number; t: GpuTensor }[] = [];
  const staging = resident ? null : gpu.empty([chunk, d], 'f32', 'rsvd.chunk');
  if (staging) owned.push(staging);
  try {
    if (resident) {
      for (let start = 0; start < a.rows; start += chunk) {
        const rows = Math.min(chunk, a.rows - start);
        const t = gpu.upload(await readRows(a, start, rows), [rows, d], 'f32', 'rsvd.chunk');
        owned.push(t);
        chunks.push({ start, rows, t });
      }
    }
    const qT = gpu.empty([d, l], 'f32', 'rsvd.Q');
    const y = gpu.empty([chunk, l], 'f32', 'rsvd.Y');
    const z = gpu.empty([d, l], 'f32', 'rsvd.Z');
    owned.push(qT, y, z);
    const progress = progressReporter('compare', maxIterations, options.onProgress);
    /** Z = AᵀA·Q for the current Q, streamed over A's row chunks. */
    const gramTimes = async (): Promise<Matrix> => {
      gpu.write(qT, toF32(q));
      for (let start = 0, first = true; start < a.rows; start += chunk, first = false) {
        throwIfAborted(options.signal, 'randomised SVD');
        const rows = Math.min(chunk, a.rows - start);
        let c: GpuTensor;
        if (staging) {
          gpu.write(staging, await readRows(a, start, rows));
          c = withShape(staging, [rows, d]);
        } else c = chunks[start / chunk].t;
        const yc = withShape(y, [rows, l]);
        await matmul(gpu, c, qT, { out: yc });
        await matmulTransA(gpu, c, yc, { out: z, beta: first ? 0 : 1 });
        // The staging chunk is rewritten next: run what reads it first.
        if (staging) await gpu.sync();
      }
      return { rows: d, cols: l, data: Float64Array.from(await gpu.read(z)) };
    };
    let top: Matrix | null = null;
    let values: Float64Array = new Float64Array(l);
    let change = Infinity;
    let it = 0;
    while (it < maxIterations) {
      const zm = await gramTimes();
      it++;
      const m = matmulTN(q, zm);
      // AᵀA is symmetric; average away the f32 asymmetry before the Jacobi eigensolver.
      for (let i = 0; i < l; i++) {
        for (let j = i + 1; j < l; j++) {
          const s = (m.data[i * l + j] + m.data[j * l + i]) / 2;
          m.data[i * l + j] = s;
          m.data[j * l + i] = s;
        }
      }
      const eig = symmetricEigen(m);
      values = eig.values;
      const ritz = leadingColumns(matmul64(q, eig.vectors), k);
      if (top) change = Math.max(...principalAngles(top, ritz).angles);
      top = ritz;
      progress.update(it);
      if (change < tolerance) break;
      q = qr(matmul64(zm, eig.vectors)).q;
    }
    progress.finish(it);
    return {
      v: top as Matrix,
      singularValues: Float64Array.from(values.subarray(0, k), (x) => Math.sqrt(Math.max(0, x))),
      iterations: it,
      lastChange: change,
    };
  } finally {
    gpu.release(...owned);
  }
}
