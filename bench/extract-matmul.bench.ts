/**
 * The engine's projection matmul (`projMatmul`: x·Wᵀ with W in f32, f16, or q8/q4 codes dequantised inside the
 * kernel), both variants forced (blocked: SwiftShader's default; tiled: shared-memory tiles, the GPU default, tuned on
 * a GPU and with f16 arithmetic for f16 weights where shader-f16 exists), against onnxruntime-web's WebGPU
 * Gemm(transB) on the same adapter, for the rows of 5 streams × 32 tokens through a 1024 × 1024 projection. Each
 * candidate is first checked against a float64 product on sampled rows (with the weights as the format stores them),
 * then timed (median of interleaved runs, output read back). Not a test.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { acquireGpu, type Gpu, type GpuTensor } from '../src/gpu/index.js';
import { packF16Rows, quantizeRows } from '../src/model/index.js';
import { projMatmul, type ProjVariant, type ProjWeight, type WeightFormat } from '../src/model/kernels/proj-matmul.js';
import { sampledProductError } from './sampled-error.js';
import { dequantizedRef, f16RoundedRef } from '../test/ref/proj-matmul.js';
import { onnxProductModel } from './onnx-model.js';

type Log = (line: string) => void;

const [M, K, N] = [160, 1024, 1024];
const RUNS = 5;
const FORMATS: WeightFormat[] = ['f32', 'f16', 'q8', 'q4'];
const VARIANTS: ProjVariant[] = ['blocked', 'tiled'];

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

interface Candidate {
  name: string;
  /** weights the output must match */
  ref: ArrayLike<number>;
  /** relative error allowed against ref */
  tol: number;
  run(): Promise<Float32Array>;
}

/** W uploaded as `format` stores it, and the values it then holds. */
function uploadWeight(gpu: Gpu, w: Float32Array, format: WeightFormat): { weight: ProjWeight; ref: ArrayLike<number> } {
  if (format === 'f32') return { weight: { format, rows: N, cols: K, data: gpu.upload(w, [N, K]), scales: null }, ref: w };
  if (format === 'f16') {
    const ref = f16RoundedRef(w);
    if (!ref) throw new Error('this browser lacks Math.f16round, which the f16 reference needs');
    return { weight: { format, rows: N, cols: K, data: gpu.upload(packF16Rows(w, N, K), [N, K / 2], 'u32'), scales: null }, ref };
  }
  const bits = format === 'q8' ? 8 : 4;
  const p = quantizeRows(w, N, K, bits);
  const weight: ProjWeight = { format, rows: N, cols: K, data: gpu.upload(p.words, [N, p.wordsPerRow], 'u32'), scales: gpu.upload(p.scales, [N, K / 32]) };
  return { weight, ref: dequantizedRef(w, N, K, bits) };
}

function ours(gpu: Gpu, tx: GpuTensor, format: WeightFormat, weight: ProjWeight, ref: ArrayLike<number>, variant: ProjVariant): Candidate {
  const ty = gpu.empty([M, N]);
  // f16 arithmetic (tiled, f16 weights, shader-f16) also rounds x to f16
  const f16Math = variant === 'tiled' && format === 'f16' && gpu.hasF16;
  return {
    name: `ours projMatmul ${variant} ${format}${f16Math ? ' (f16 arithmetic)' : ''}`,
    ref,
    tol: f16Math ? 2e-3 : 1e-4,
    async run() {
      await projMatmul(gpu, tx, weight, ty, { m: M, variant });
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
    tol: 1e-4,
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
  const tx = gpu.upload(x, [M, K]);
  const candidates: Candidate[] = [];
  for (const format of FORMATS) {
    const { weight, ref } = uploadWeight(gpu, w, format);
    for (const variant of VARIANTS) candidates.push(ours(gpu, tx, format, weight, ref, variant));
  }
  const ourCount = candidates.length;
  try {
    candidates.push(await onnxGemm(x, w));
  } catch (e) {
    log(`onnxruntime-web's WebGPU EP could not run here (${e instanceof Error ? e.message : String(e)}); comparing our variants only`);
  }
  // also the tiled variant's tuning on a GPU, outside the timed runs
  for (const c of candidates) {
    const err = sampledProductError(await c.run(), x, c.ref, M, K, N, true);
    if (!(err <= c.tol)) throw new Error(`${c.name}: relative error ${err} exceeds ${c.tol}; not timing a wrong result`);
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
  const ratios = (f: (format: number) => string): string => FORMATS.map((format, i) => `${format} ${f(i)}`).join(', ');
  log(`ratio blocked / tiled: ${ratios((i) => (med[2 * i] / med[2 * i + 1]).toFixed(2))} on ${adapter}`);
  if (candidates.length > ourCount) {
    const peer = med[ourCount];
    log(`ratio onnxruntime-web / ours tiled: ${ratios((i) => (peer / med[2 * i + 1]).toFixed(2))} on ${adapter}`);
  }
}
