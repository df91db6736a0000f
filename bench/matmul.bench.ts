/**
 * Our matmul against onnxruntime-web's WebGPU MatMul on the same device and shapes. Checks every candidate
 * against a float64 CPU product first, then times each (median of several interleaved runs, each ending
 * with the output read back) and prints the ratio. Not a test: nothing here asserts on time.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { acquireGpu, defaultMatmulVariant, matmul, matmulTransB, type Gpu, type GpuTensor, type MatmulVariant } from '../src/gpu/index.js';
import { onnxProductModel, type OnnxProduct } from './onnx-model.js';
import { sampledProductError } from './sampled-error.js';

type Log = (line: string) => void;

/** [M, K, N]: a square case and Gemma-2 2B's hidden size for a 64-token batch. */
const SHAPES: [number, number, number][] = [
  [512, 512, 512],
  [64, 2304, 2304],
];
const WARMUP = 1;
const RUNS = 5;
const CHECK_TOL = 1e-4;

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * Median time of each candidate over RUNS rounds. Rounds interleave the candidates, so a load change on a
 * shared machine hits all of them alike instead of whichever happened to run then.
 */
async function interleavedMedians(runs: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const once of runs) for (let i = 0; i < WARMUP; i++) await once();
  const times = runs.map((): number[] => []);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, once] of runs.entries()) {
      const t0 = performance.now();
      await once();
      times[i].push(performance.now() - t0);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

interface Candidate {
  name: string;
  /** Computes Y once and returns it on the host. */
  run(): Promise<Float32Array>;
  dispose(): void;
}

/** Without `variant`, what callers get: the adapter's default (on a GPU, tiled with the tile autotune picks in the warm-up). */
function ours(gpu: Gpu, x: GpuTensor, w: GpuTensor, transB: boolean, variant?: MatmulVariant): Candidate {
  const y = gpu.empty([x.shape[0], transB ? w.shape[0] : w.shape[1]], 'f32', 'bench.y');
  return {
    name: `ours (${variant ?? defaultMatmulVariant(gpu)}${transB ? ', x·Wᵀ' : ''})`,
    async run() {
      await (transB ? matmulTransB : matmul)(gpu, x, w, { out: y, variant });
      return gpu.read(y);
    },
    dispose: () => gpu.release(y),
  };
}

async function onnxruntime(gpu: Gpu, op: OnnxProduct, x: Float32Array, w: Float32Array, M: number, K: number, N: number): Promise<Candidate> {
  const session = await ort.InferenceSession.create(onnxProductModel(op, M, K, N), { executionProviders: ['webgpu'] });
  // onnxruntime-web keeps its own device (on the same adapter); the inputs live on it, as ours live on
  // ours, and the output is read back, as ours is.
  const device = await ort.env.webgpu.device;
  const toDevice = (host: Float32Array): GPUBuffer => {
    const b = device.createBuffer({ size: host.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, host);
    return b;
  };
  const [a, b] = [toDevice(x), toDevice(w)];
  const feeds = {
    A: ort.Tensor.fromGpuBuffer(a, { dataType: 'float32', dims: [M, K] }),
    B: ort.Tensor.fromGpuBuffer(b, { dataType: 'float32', dims: op === 'MatMul' ? [K, N] : [N, K] }),
  };
  return {
    name: `onnxruntime-web ${op}${device === gpu.device ? '' : ' (own device, same adapter)'}`,
    async run() {
      const out = await session.run(feeds);
      return (await out.Y.getData(true)) as Float32Array;
    },
    dispose: () => {
      void session.release();
      a.destroy();
      b.destroy();
    },
  };
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = `${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.description}`.replace(/\s+/g, ' ').trim();
  const variant = defaultMatmulVariant(gpu);
  log(`adapter: ${adapter} (fallback: ${gpu.info.isFallbackAdapter}); our default variant: ${variant}`);

  let ortError: string | null = null;
  try {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    ort.env.logLevel = 'error';
  } catch (e) {
    ortError = e instanceof Error ? e.message : String(e);
  }

  for (const [M, K, N] of SHAPES) {
    const x = randomArray(M * K, 1);
    const w = randomArray(K * N, 2);
    const tx = gpu.upload(x, [M, K]);
    const tw = gpu.upload(w, [K, N]);
    // Both layouts share w's values: as [K, N] for x·W, and read as [N, K] for x·Wᵀ.
    const twT = gpu.upload(w, [N, K]);
    const candidates: [Candidate, boolean, Float32Array][] = [
      [ours(gpu, tx, tw, false), false, w],
      [ours(gpu, tx, twT, true), true, w],
    ];
    let peer: Candidate | null = null;
    if (!ortError) {
      try {
        peer = await onnxruntime(gpu, 'MatMul', x, w, M, K, N);
        candidates.push([peer, false, w]);
      } catch (e) {
        ortError = e instanceof Error ? e.message : String(e);
      }
    }
    if (!peer) {
      peer = ours(gpu, tx, tw, false, 'naive');
      candidates.push([peer, false, w]);
    }
    const errors: number[] = [];
    for (const [c, transB, wv] of candidates) {
      const err = sampledProductError(await c.run(), x, wv, M, K, N, transB);
      if (!(err <= CHECK_TOL)) throw new Error(`${c.name} at ${M}×${K}×${N}: relative error ${err} exceeds ${CHECK_TOL}; not timing a wrong result`);
      errors.push(err);
    }
    const medians = await interleavedMedians(candidates.map(([c]) => () => c.run()));
    const times = new Map<Candidate, number>();
    candidates.forEach(([c], i) => {
      times.set(c, medians[i]);
      const gflops = (2 * M * K * N) / (medians[i] * 1e6);
      log(`  ${M}×${K}×${N} ${c.name}: ${medians[i].toFixed(1)} ms (${gflops.toFixed(2)} GFLOP/s incl. readback), max rel error ${errors[i].toExponential(2)}`);
    });
    const oursMs = times.get(candidates[0][0]) ?? NaN;
    const peerMs = times.get(peer) ?? NaN;
    const peerName = ortError ? 'our naive kernel' : 'onnxruntime-web';
    log(`${M}×${K}×${N}: ours ${oursMs.toFixed(1)} ms, ${peerName} ${peerMs.toFixed(1)} ms, ratio ${(peerMs / oursMs).toFixed(2)} on ${adapter}`);
    for (const [c] of candidates) c.dispose();
    gpu.release(tx, tw, twT);
  }
  if (ortError) log(`onnxruntime-web's WebGPU EP could not run here (${ortError}); the peer above is our naive kernel.`);
}
