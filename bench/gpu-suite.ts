/**
 * The GPU bench suite (issue 12): what a run on a real GPU must report, in one pass, runtime-agnostic (Node on Dawn
 * through bench/gpu-suite-node.ts, Chromium through bench/gpu-suite.bench.ts). Every step first checks its numbers
 * against a CPU reference, then times; results are saved after every step so a killed run keeps what it had.
 *   adapter → fixture engine checks (when fixtures are given) → FMA peak → GEMM and projection GFLOP/s as fractions of
 *   it → extraction tokens/s (base alone; base + 4 adapters; f32, f16, q8, q4) → SAE training tokens/s (TopK, ReLU-L1,
 *   JumpReLU). Preset `full` is Gemma-2-2B-sized; `tiny` checks the same code paths in minutes on SwiftShader.
 * Not a test: nothing asserts on time.
 */
import type { Gemma2Config, LoraAdapter, SafetensorsCheckpoint } from '../src/formats/index.js';
import { forceVariantFamily, matmulTransB, packParams, variantFamily, type GemmPrecision, type Gpu } from '../src/gpu/index.js';
import { GemmaEngine, packF16Rows, quantizeRows, type ModelDtype } from '../src/model/index.js';
import { f32ToF16Bits } from '../src/model/quantize.js';
import { projMatmul, type ProjWeight, type WeightFormat } from '../src/model/kernels/proj-matmul.js';
import { initSaeParams, resolveTrainConfig, SaeTrainer, type SaeArch } from '../src/sae/index.js';
import { dequantizedRef } from '../test/ref/proj-matmul.js';
import fmaSource from './kernels/fma-peak.wgsl?raw';
import { sampledProductError } from './sampled-error.js';

export type Preset = 'tiny' | 'full';

export interface ExtractionModel {
  checkpoint: SafetensorsCheckpoint;
  config: Gemma2Config;
  adapters: LoraAdapter[];
  /** where the weights came from, for the record */
  source: string;
}

export interface SuiteHost {
  runtime: string;
  preset: Preset;
  /** Run the kernels a real GPU gets even on a CPU adapter (to check that path before spending GPU time). */
  forceGpuVariants: boolean;
  log: (line: string) => void;
  save: (results: SuiteResults) => Promise<void>;
  /** the model and 4 adapters for the extraction step */
  extractionModel: () => Promise<ExtractionModel>;
  /** fixture engine checks, where the runtime can read ../shared/fixtures */
  fixtureChecks?: (gpu: Gpu) => Promise<Check[]>;
}

export interface Check {
  name: string;
  error: number;
  tolerance: number;
  ok: boolean;
}

export interface Rate {
  name: string;
  ms: number;
  gflops?: number;
  tokensPerS?: number;
  fractionOfPeak?: number;
  [k: string]: unknown;
}

export interface SuiteResults {
  date: string;
  runtime: string;
  preset: Preset;
  adapter: Record<string, unknown>;
  variantFamily: string;
  checks: Check[];
  fmaPeakGflops?: number;
  gemm: Rate[];
  extraction: Rate[];
  sae: Rate[];
  errors: string[];
}

const SIZES = {
  tiny: {
    fma: { threads: 16384, iters: 256 },
    gemm: [[256, 256, 256], [320, 256, 1024]] as [number, number, number][],
    proj: { m: 320, n: 1024, k: 256 },
    extraction: { batch: 2, seq: 32, rounds: 1 },
    sae: { d: 128, m: 1024, batch: 256, k: 32 },
    rounds: 3,
  },
  full: {
    fma: { threads: 1 << 20, iters: 4096 },
    gemm: [[4096, 4096, 4096], [5120, 2304, 9216]] as [number, number, number][],
    proj: { m: 5120, n: 9216, k: 2304 },
    // 512 tokens × 5 streams through 26 layers is ~14 TFLOP per f32 pass: 2 timed rounds keep the step near a minute
    extraction: { batch: 4, seq: 128, rounds: 2 },
    sae: { d: 2304, m: 16384, batch: 4096, k: 64 },
    rounds: 5,
  },
};

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => (((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1) * scale);
}

/** Minimum wall time of `rounds` runs of f after one warm-up; f ends in a GPU sync. */
async function minMs(rounds: number, f: () => Promise<void>): Promise<number> {
  await f();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function check(name: string, error: number, tolerance: number): Check {
  if (!(error <= tolerance)) throw new Error(`${name}: error ${error} exceeds ${tolerance}; not timing a wrong result`);
  return { name, error, tolerance, ok: true };
}

/** FMA peak: GFLOP/s of independent register FMAs, checked against the same chains on the CPU for a few threads. */
async function fmaPeak(gpu: Gpu, threads: number, iters: number, rounds: number): Promise<{ gflops: number; check: Check }> {
  const kernel = { name: 'bench-fma-peak', source: fmaSource };
  const out = gpu.empty([threads], 'f32', 'bench.fma');
  const [mul, add] = [0.9995, 1e-3];
  const params = packParams([{ u32: iters }, { f32: mul }, { f32: add }]);
  const run = async (): Promise<void> => {
    await gpu.run(kernel, { params, buffers: [out], workgroups: Math.ceil(threads / 256), overrides: { WG: 256 } });
    await gpu.sync();
  };
  const ms = await minMs(rounds, run);
  const got = await gpu.read(out);
  let worst = 0;
  const f = Math.fround;
  for (const t of [0, 1, 777, threads - 1]) {
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      let a = f(f((t % 1024) * 1e-3) + f(j * 1e-3));
      for (let i = 0; i < iters; i++) a = f(a * f(mul) + f(add));
      sum += a;
    }
    worst = Math.max(worst, Math.abs(got[t] - sum) / Math.abs(sum));
  }
  gpu.release(out);
  return { gflops: (threads * iters * 8 * 4 * 2) / (ms * 1e6), check: check('fma-peak chains vs CPU', worst, 1e-4) };
}

async function gemmRates(gpu: Gpu, shapes: [number, number, number][], rounds: number, peak: number, checks: Check[]): Promise<Rate[]> {
  const rates: Rate[] = [];
  // f16 products (f32 sums) where the device has shader-f16; elsewhere the emulation checks the same kernel's path
  // (its figure is no f16 rate, and is named so).
  const half: GemmPrecision = gpu.hasF16 ? 'f16' : 'f16-emulated';
  for (const [M, K, N] of shapes) {
    const x = rand(M * K, 1);
    const w = rand(N * K, 2);
    const [tx, tw, ty] = [gpu.upload(x, [M, K]), gpu.upload(w, [N, K]), gpu.empty([M, N])];
    for (const precision of ['f32', half] as GemmPrecision[]) {
      // the emulation exists for the tiled kernel only: on a CPU adapter it is forced to run there
      const variant = precision === 'f16-emulated' ? 'tiled' : undefined;
      const run = async (): Promise<void> => {
        await matmulTransB(gpu, tx, tw, { out: ty, precision, variant });
        await gpu.sync();
      };
      await run();
      // f16 inputs carry 2^-11 relative rounding each, against a float64 product of the unrounded ones
      const tol = precision === 'f32' ? 1e-4 : 3e-3;
      checks.push(check(`gemm ${precision} ${M}×${K}×${N} vs float64`, sampledProductError(await gpu.read(ty), x, w, M, K, N, true), tol));
      const ms = await minMs(rounds, run);
      const gflops = (2 * M * K * N) / (ms * 1e6);
      rates.push({ name: `gemm ${precision} x·Wᵀ ${M}×${K}×${N}`, ms, gflops, fractionOfPeak: gflops / peak });
    }
    gpu.release(tx, tw, ty);
  }
  return rates;
}

/** The projection GEMM with each weight format dequantised in the kernel, checked against the CPU decode. */
async function projRates(gpu: Gpu, s: { m: number; n: number; k: number }, rounds: number, peak: number, checks: Check[]): Promise<Rate[]> {
  const { m, n, k } = s;
  const x = rand(m * k, 3);
  const w = rand(n * k, 4, 0.05);
  const tx = gpu.upload(x, [m, k]);
  const ty = gpu.empty([m, n]);
  const rates: Rate[] = [];
  for (const format of ['f32', 'f16', 'q8', 'q4'] as WeightFormat[]) {
    let weight: ProjWeight;
    let decoded: ArrayLike<number>;
    if (format === 'f32') {
      weight = { format, rows: n, cols: k, data: gpu.upload(w, [n, k]), scales: null };
      decoded = w;
    } else if (format === 'f16') {
      const packed = packF16Rows(w, n, k);
      weight = { format, rows: n, cols: k, data: gpu.upload(packed, [n, packed.length / n], 'u32'), scales: null };
      decoded = Float64Array.from(w, (v) => f16Value(f32ToF16Bits(v)));
    } else {
      const bits = format === 'q8' ? 8 : 4;
      const q = quantizeRows(w, n, k, bits);
      weight = { format, rows: n, cols: k, data: gpu.upload(q.words, [n, q.wordsPerRow], 'u32'), scales: gpu.upload(q.scales, [n, q.scales.length / n]) };
      decoded = dequantizedRef(w, n, k, bits);
    }
    const run = async (): Promise<void> => {
      await projMatmul(gpu, tx, weight, ty, { m });
      await gpu.sync();
    };
    await run();
    checks.push(check(`projection ${format} ${m}×${k}×${n} vs CPU decode`, sampledProductError(await gpu.read(ty), x, decoded, m, k, n, true), 1e-4));
    const ms = await minMs(rounds, run);
    const gflops = (2 * m * k * n) / (ms * 1e6);
    rates.push({ name: `projection ${format} ${m}×${k}×${n}`, ms, gflops, fractionOfPeak: gflops / peak });
    gpu.release(weight.data, weight.scales);
  }
  gpu.release(tx, ty);
  return rates;
}

/** An f16 bit pattern's value (the CPU decode of what packF16Rows stored). */
function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (e === 0) return sign * frac * 2 ** -24;
  return sign * (1 + frac / 1024) * 2 ** (e - 15);
}

async function extractionRates(gpu: Gpu, model: ExtractionModel, batch: number, seq: number, rounds: number): Promise<Rate[]> {
  const { checkpoint, config, adapters } = model;
  const ids = Int32Array.from({ length: batch * seq }, (_, i) => (i % seq === 0 ? 2 : (i * 7919) % config.vocabSize));
  const layers = [Math.floor(config.numHiddenLayers / 2), config.numHiddenLayers - 1];
  const tokens = batch * seq;
  const rates: Rate[] = [];
  for (const dtype of ['f32', 'f16', 'q8', 'q4'] as ModelDtype[]) {
    for (const withAdapters of [false, true]) {
      const t0 = performance.now();
      const engine = await GemmaEngine.load(gpu, checkpoint, config, withAdapters ? adapters : [], { dtype, layers });
      await gpu.sync();
      const loadS = (performance.now() - t0) / 1000;
      const ms = await minMs(rounds, async () => {
        const out = await engine.forward(ids, batch, seq);
        for (const t of out.residPost.values()) await gpu.read(t);
        out.release();
      });
      engine.dispose();
      gpu.pool.trim();
      rates.push({
        name: `extraction ${dtype} ${withAdapters ? `base + ${adapters.length} adapters` : 'base alone'}`,
        ms, tokensPerS: tokens / (ms / 1000), dtype, streams: withAdapters ? adapters.length + 1 : 1, tokens, layers: config.numHiddenLayers, loadS,
      });
    }
  }
  return rates;
}

async function saeRates(gpu: Gpu, s: { d: number; m: number; batch: number; k: number }, rounds: number, checks: Check[]): Promise<Rate[]> {
  const { d, m, batch, k } = s;
  const x = rand(batch * d, 1);
  const [tx, tw, ty] = [gpu.upload(x, [batch, d]), gpu.upload(rand(m * d, 2), [m, d]), gpu.empty([batch, m])];
  const matmulMs = await minMs(rounds, async () => {
    await matmulTransB(gpu, tx, tw, { out: ty });
    await gpu.sync();
  });
  gpu.release(tx, tw, ty);
  const matmulGflops = (2 * batch * d * m) / (matmulMs * 1e6);
  const rates: Rate[] = [];
  for (const arch of ['topk', 'relu', 'jumprelu'] as SaeArch[]) {
    const cfg = resolveTrainConfig({ arch, d, m, k, steps: 1_000_000, batchSize: batch, lr: 1e-4, seed: 5 });
    const tr = await SaeTrainer.create(gpu, cfg, { params: initSaeParams(cfg, { decoderNorm: 0.1 }), step: 0 });
    await tr.trainStep(x);
    await gpu.sync();
    const loss = (await tr.drainLog()).at(-1);
    const finite = loss === undefined || Object.values(loss).every((v) => typeof v !== 'number' || Number.isFinite(v));
    checks.push(check(`sae ${arch} ${d}×${m}: first step's logged numbers are finite`, finite ? 0 : Infinity, 0));
    const ms = await minMs(rounds, async () => {
      await tr.trainStep(x);
      await gpu.sync();
      await tr.drainLog();
    });
    tr.release();
    const flops = arch === 'topk' ? 2 * batch * d * m + 8 * batch * k * d : 10 * batch * d * m;
    const gflops = flops / (ms * 1e6);
    rates.push({ name: `sae ${arch} d ${d} × ${m}, batch ${batch}${arch === 'topk' ? `, k ${k}` : ''}`, ms, tokensPerS: batch / (ms / 1000), gflops, ratioToMatmul: gflops / matmulGflops, arch });
  }
  return rates;
}

/** Runs every step, saving after each; a failing step is recorded and the next one still runs. */
export async function runGpuSuite(gpu: Gpu, host: SuiteHost): Promise<SuiteResults> {
  const { log } = host;
  const sizes = SIZES[host.preset];
  if (host.forceGpuVariants) forceVariantFamily(gpu, 'gpu');
  const i = gpu.info;
  const results: SuiteResults = {
    date: new Date().toISOString(),
    runtime: host.runtime,
    preset: host.preset,
    adapter: { vendor: i.vendor, architecture: i.architecture, description: i.description, features: i.features, maxBufferSize: i.maxBufferSize, maxStorageBufferBindingSize: i.maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize: i.maxComputeWorkgroupStorageSize },
    variantFamily: variantFamily(gpu),
    checks: [],
    gemm: [],
    extraction: [],
    sae: [],
    errors: [],
  };
  log(`adapter: ${i.vendor} ${i.architecture} ${i.description}; features ${i.features.join(' ')}; kernel family ${results.variantFamily}; preset ${host.preset}`);
  const step = async (name: string, f: () => Promise<void>): Promise<void> => {
    const t0 = performance.now();
    try {
      await f();
    } catch (e) {
      const msg = `${name}: ${e instanceof Error ? e.message : String(e)}`;
      results.errors.push(msg);
      log(`FAILED ${msg}`);
    }
    log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await host.save(results);
  };
  if (host.fixtureChecks) {
    await step('fixture checks', async () => {
      const checks = await host.fixtureChecks!(gpu);
      results.checks.push(...checks);
      for (const c of checks) log(`check ${c.name}: ${c.error.toExponential(2)} (tolerance ${c.tolerance}) ${c.ok ? 'ok' : 'FAILED'}`);
    });
  }
  let peak = NaN;
  await step('fma peak', async () => {
    const r = await fmaPeak(gpu, sizes.fma.threads, sizes.fma.iters, sizes.rounds);
    results.checks.push(r.check);
    peak = results.fmaPeakGflops = r.gflops;
    log(`FMA peak: ${r.gflops.toFixed(1)} GFLOP/s`);
  });
  await step('gemm', async () => {
    results.gemm.push(...(await gemmRates(gpu, sizes.gemm, sizes.rounds, peak, results.checks)));
    results.gemm.push(...(await projRates(gpu, sizes.proj, sizes.rounds, peak, results.checks)));
    for (const r of results.gemm) log(`${r.name}: ${r.ms.toFixed(2)} ms, ${r.gflops!.toFixed(1)} GFLOP/s, ${(100 * r.fractionOfPeak!).toFixed(1)} % of the FMA peak`);
  });
  await step('extraction', async () => {
    const model = await host.extractionModel();
    log(`extraction model: ${model.source}`);
    results.extraction.push(...(await extractionRates(gpu, model, sizes.extraction.batch, sizes.extraction.seq, sizes.extraction.rounds)));
    for (const r of results.extraction) log(`${r.name}: ${r.tokensPerS!.toFixed(0)} tokens/s (${r.ms.toFixed(1)} ms per ${String(r.tokens)} tokens; load ${(r.loadS as number).toFixed(1)} s)`);
  });
  await step('sae', async () => {
    results.sae.push(...(await saeRates(gpu, sizes.sae, sizes.rounds, results.checks)));
    for (const r of results.sae) log(`${r.name}: ${r.tokensPerS!.toFixed(0)} tokens/s, ${r.gflops!.toFixed(1)} GFLOP/s, ${(r.ratioToMatmul as number).toFixed(2)} of the encoder matmul's rate`);
  });
  if (host.forceGpuVariants) forceVariantFamily(gpu, null);
  return results;
}
