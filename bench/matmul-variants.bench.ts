/**
 * Our matmul variants against each other (naive, blocked 4×4 per thread at a few workgroup shapes, tiled at the tile
 * configurations autotune chooses among for the shape, tiled with f16 staging), on one device in one run, after
 * checking each against a float64 product. Prints times and the ratio to the naive kernel. Not a test.
 */
import { acquireGpu, matmulTransB, tiledCandidates, type GemmPrecision, type MatmulTile, type MatmulVariant } from '../src/gpu/index.js';

type Log = (line: string) => void;

interface Case {
  variant: MatmulVariant;
  tile: MatmulTile;
  precision?: GemmPrecision;
}

const SHAPES: [number, number, number][] = [
  [256, 256, 256],
  [64, 1024, 1024],
];
const RUNS = 3;

function tileName({ variant, tile, precision }: Case): string {
  if (variant !== 'tiled') return `wg ${tile.x}×${tile.y}`;
  const block = `${tile.y * (tile.tm ?? 4)}×${tile.x * (tile.tn ?? 4)}`;
  return `block ${block}, wg ${tile.x}×${tile.y} of ${tile.tm ?? 4}×${tile.tn ?? 4}, k${tile.k}${precision ? ` ${precision}` : ''}`;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  log(`adapter: ${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.trim());
  for (const [M, K, N] of SHAPES) {
    const tiled = tiledCandidates(M, N).map((c): Case => ({ variant: 'tiled', tile: c.tile }));
    // f16 staging on one mid-size tile: emulated everywhere (slower: it rounds in f32), real where shader-f16 exists.
    const f16Tile = { x: 8, y: 8, k: 16, tm: 8, tn: 8 };
    const f16: Case[] = [{ variant: 'tiled', tile: f16Tile, precision: 'f16-emulated' }];
    if (gpu.hasF16) f16.push({ variant: 'tiled', tile: f16Tile, precision: 'f16' });
    const cases: Case[] = [
      { variant: 'naive', tile: { x: 16, y: 16, k: 1 } },
      { variant: 'blocked', tile: { x: 8, y: 8, k: 1 } },
      { variant: 'blocked', tile: { x: 16, y: 4, k: 1 } },
      { variant: 'blocked', tile: { x: 4, y: 4, k: 1 } },
      ...tiled,
      ...f16,
    ];
    let s = 7;
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
    const x = rand(M * K);
    const w = rand(N * K);
    const [tx, tw, y] = [gpu.upload(x, [M, K]), gpu.upload(w, [N, K]), gpu.empty([M, N])];
    let naiveMs = NaN;
    for (const c of cases) {
      const once = async (): Promise<Float32Array> => {
        await matmulTransB(gpu, tx, tw, { out: y, variant: c.variant, tile: c.tile, precision: c.precision });
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
      if (c.variant === 'naive') naiveMs = ms;
      const gflops = (2 * M * K * N) / (ms * 1e6);
      log(`${M}×${K}×${N} ${c.variant} ${tileName(c)}: ${ms.toFixed(1)} ms, ${gflops.toFixed(2)} GFLOP/s, naive/this ${(naiveMs / ms).toFixed(2)}, last-row max abs error ${maxDiff.toExponential(1)}`);
    }
    gpu.release(tx, tw, y);
  }
}
