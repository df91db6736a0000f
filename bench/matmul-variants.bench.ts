/**
 * Our matmul variants against each other (blocked 4×4 per thread, tiled, naive) at a few workgroup shapes,
 * on one device in one run, after checking each against a float64 product. Prints times and the ratio
 * to the naive kernel. Not a test.
 */
import { acquireGpu, matmulTransB, type MatmulTile, type MatmulVariant } from '../src/gpu/index.js';

type Log = (line: string) => void;

const SHAPES: [number, number, number][] = [
  [256, 256, 256],
  [64, 1024, 1024],
];
const CASES: [MatmulVariant, MatmulTile][] = [
  ['naive', { x: 16, y: 16, k: 1 }],
  ['blocked', { x: 8, y: 8, k: 1 }],
  ['blocked', { x: 16, y: 4, k: 1 }],
  ['blocked', { x: 4, y: 4, k: 1 }],
  ['tiled', { x: 8, y: 8, k: 16 }],
  ['tiled', { x: 16, y: 16, k: 8 }],
];
const RUNS = 3;

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  log(`adapter: ${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.trim());
  for (const [M, K, N] of SHAPES) {
    let s = 7;
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
    const x = rand(M * K);
    const w = rand(N * K);
    const [tx, tw, y] = [gpu.upload(x, [M, K]), gpu.upload(w, [N, K]), gpu.empty([M, N])];
    let naiveMs = NaN;
    for (const [variant, tile] of CASES) {
      const once = async (): Promise<Float32Array> => {
        await matmulTransB(gpu, tx, tw, { out: y, variant, tile });
        return gpu.read(y);
      };
      const got = await once();
      let maxDiff = 0;
      for (let n = 0; n < N; n++) {
        let ref = 0;
        for (let k = 0; k < K; k++) ref += x[(M - 1) * K + k] * w[n * K + k];
        maxDiff = Math.max(maxDiff, Math.abs(got[(M - 1) * N + n] - ref));
      }
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await once();
        times.push(performance.now() - t0);
      }
      const ms = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      if (variant === 'naive') naiveMs = ms;
      const gflops = (2 * M * K * N) / (ms * 1e6);
      log(`${M}×${K}×${N} ${variant} wg ${tile.x}×${tile.y}${variant === 'tiled' ? ` k${tile.k}` : ''}: ${ms.toFixed(1)} ms, ${gflops.toFixed(2)} GFLOP/s, naive/this ${(naiveMs / ms).toFixed(2)}, last-row max abs error ${maxDiff.toExponential(1)}`);
    }
    gpu.release(tx, tw, y);
  }
}
