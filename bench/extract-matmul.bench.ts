/**
 * The engine's projection matmul (`projMatmul`: x·Wᵀ with W in f32, or q8/q4 codes dequantised inside the
 * kernel) against onnxruntime-web's WebGPU Gemm(transB) on the same adapter, for the rows of 5 streams × 32
 * tokens through a 1024 × 1024 projection. Each candidate is first checked against a float64 product on sampled
 * rows (with the dequantised weights for q8/q4), then timed (median of interleaved runs, output read back).
 * Not a test.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import { quantizeRows } from '../src/model/index.js';
import { projMatmul, type ProjWeight } from '../src/model/kernels/proj-matmul.js';
import { dequantizedRef } from '../test/ref/proj-matmul.js';
import { onnxProductModel } from './onnx-model.js';

type Log = (line: string) => void;

const [M, K, N] = [160, 1024, 1024];
const RUNS = 5;

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function sampledError(got: Float32Array, x: Float32Array, w: ArrayLike<number>): number {
  let [maxDiff, maxRef] = [0, 0];
  for (const m of [0, M >> 1, M - 1]) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * w[n * K + k];
      maxDiff = Math.max(maxDiff, Math.abs(got[m * N + n] - s));
      maxRef = Math.max(maxRef, Math.abs(s));
    }
  }
  return maxDiff / maxRef;
}

interface Candidate {
  name: string;
  /** weights the output must match */
  ref: ArrayLike<number>;
  run(): Promise<Float32Array>;
}

function ours(gpu: Gpu, x: Float32Array, w: Float32Array, format: 'f32' | 'q8' | 'q4'): Candidate {
  const tx = gpu.upload(x, [M, K]);
  const ty = gpu.empty([M, N]);
  let weight: ProjWeight;
  let ref: ArrayLike<number> = w;
  if (format === 'f32') weight = { format, rows: N, cols: K, data: gpu.upload(w, [N, K]), scales: null };
  else {
    const bits = format === 'q8' ? 8 : 4;
    const p = quantizeRows(w, N, K, bits);
    weight = { format, rows: N, cols: K, data: gpu.upload(p.words, [N, p.wordsPerRow], 'u32'), scales: gpu.upload(p.scales, [N, Math.ceil(K / 32)]) };
    ref = dequantizedRef(w, N, K, bits);
  }
  return {
    name: `ours projMatmul ${format}`,
    ref,
    async run() {
      await projMatmul(gpu, tx, weight, ty, { m: M });
      return gpu.read(ty);
    },
  };
}

async function onnxGemm(x: Float32Array, w: Float32Array): Promise<Candidate> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(onnxProductModel('GemmTransB', M, K, N), { executionProviders: ['webgpu'] });
  const device = await ort.env.webgpu.device;
  const toDevice = (host: Float32Array): GPUBuffer => {
    const b = device.createBuffer({ size: host.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, host);
    return b;
  };
  const feeds = {
    A: ort.Tensor.fromGpuBuffer(toDevice(x), { dataType: 'float32', dims: [M, K] }),
    B: ort.Tensor.fromGpuBuffer(toDevice(w), { dataType: 'float32', dims: [N, K] }),
  };
  return {
    name: 'onnxruntime-web Gemm(transB) f32',
    ref: w,
    async run() {
      const out = await session.run(feeds);
      return (await out.Y.getData(true)) as Float32Array;
    },
  };
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = `${gpu.info.vendor} ${gpu.info.architecture}`.trim();
  const x = randomArray(M * K, 1);
  const w = randomArray(N * K, 2);
  const candidates = [ours(gpu, x, w, 'f32'), ours(gpu, x, w, 'q8'), ours(gpu, x, w, 'q4')];
  try {
    candidates.push(await onnxGemm(x, w));
  } catch (e) {
    log(`onnxruntime-web's WebGPU EP could not run here (${e instanceof Error ? e.message : String(e)}); comparing our formats only`);
  }
  for (const c of candidates) {
    const err = sampledError(await c.run(), x, c.ref);
    if (!(err <= 1e-4)) throw new Error(`${c.name}: relative error ${err} exceeds 1e-4; not timing a wrong result`);
  }
  const times = candidates.map((): number[] => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, c] of candidates.entries()) {
      const t0 = performance.now();
      await c.run();
      times[i].push(performance.now() - t0);
    }
  }
  const med = times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
  candidates.forEach((c, i) => log(`${M}×${K}×${N} ${c.name}: ${med[i].toFixed(1)} ms (${((2 * M * K * N) / (med[i] * 1e6)).toFixed(2)} GFLOP/s incl. readback)`));
  const peer = candidates.length > 3 ? med[3] : NaN;
  log(`ratio onnxruntime-web / ours: f32 ${(peer / med[0]).toFixed(2)}, q8 ${(peer / med[1]).toFixed(2)}, q4 ${(peer / med[2]).toFixed(2)} on ${adapter}`);
}
