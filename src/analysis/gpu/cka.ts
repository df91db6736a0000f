import { throwIfAborted } from '../../errors/index.js';
import { matmulTransA, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { centreColumns, ckaFromTerms, rowSquares, type CkaOptions } from '../cpu/cka.js';
import type { MatrixLike } from '../cpu/matrix.js';
import { withShape } from './row-source.js';

function sumSquares(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

/**
 * Linear CKA with the d×d products on the GPU (feature form: Xcᵀ Xc, Ycᵀ Xc, Ycᵀ Yc accumulated over row
 * chunks); centring, the Frobenius norms and the debiasing run on the CPU in float64.
 * @param x [n, dx]
 * @param y [n, dy]
 */
export async function linearCkaGpu(gpu: Gpu, x: MatrixLike, y: MatrixLike, options: Omit<CkaOptions, 'form'> & { chunkRows?: number; signal?: AbortSignal } = {}): Promise<number> {
  const n = x.rows;
  if (y.rows !== n) throw new Error(`CKA needs the same rows (tokens) in both: X has ${n}, Y has ${y.rows}`);
  if (n < (options.debiased ? 4 : 2)) throw new Error(`CKA needs at least ${options.debiased ? 4 : 2} rows, got ${n}`);
  const dx = x.cols;
  const dy = y.cols;
  const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  if (4 * Math.max(dx, dy) ** 2 > limit) throw new Error(`CKA feature products of ${Math.max(dx, dy)}² values exceed the binding limit`);
  const chunk = Math.max(1, Math.min(n, options.chunkRows ?? 8192, Math.floor(limit / (4 * Math.max(dx, dy)))));
  const xc = centreColumns(x);
  const yc = centreColumns(y);
  const owned: GpuTensor[] = [];
  const keep = (t: GpuTensor) => (owned.push(t), t);
  try {
    const tx = keep(gpu.empty([chunk, dx], 'f32', 'cka.x'));
    const ty = keep(gpu.empty([chunk, dy], 'f32', 'cka.y'));
    const xx = keep(gpu.empty([dx, dx], 'f32', 'cka.xx'));
    const yx = keep(gpu.empty([dy, dx], 'f32', 'cka.yx'));
    const yy = keep(gpu.empty([dy, dy], 'f32', 'cka.yy'));
    for (let start = 0; start < n; start += chunk) {
      throwIfAborted(options.signal, 'CKA');
      const rows = Math.min(chunk, n - start);
      gpu.write(tx, Float32Array.from(xc.subarray(start * dx, (start + rows) * dx)));
      gpu.write(ty, Float32Array.from(yc.subarray(start * dy, (start + rows) * dy)));
      const cx = withShape(tx, [rows, dx]);
      const cy = withShape(ty, [rows, dy]);
      const beta = start === 0 ? 0 : 1;
      await matmulTransA(gpu, cx, cx, { out: xx, beta });
      await matmulTransA(gpu, cy, cx, { out: yx, beta });
      await matmulTransA(gpu, cy, cy, { out: yy, beta });
      // The next chunk overwrites tx/ty: run the products that read them first.
      await gpu.sync();
    }
    const terms = { xy: sumSquares(await gpu.read(yx)), xx: sumSquares(await gpu.read(xx)), yy: sumSquares(await gpu.read(yy)) };
    return ckaFromTerms(terms, options.debiased ? { rowsX: rowSquares(xc, n, dx), rowsY: rowSquares(yc, n, dy) } : null, n);
  } finally {
    gpu.release(...owned);
  }
}
