import { sizeClass } from '../autotune.js';
import type { Gpu } from '../gpu.js';
import type { Kernel } from '../pipelines.js';
import { workgroupProblem } from '../workgroup-limits.js';
import type { GemmDesc, GemmPrecision, MatmulTile } from './matmul.js';
import source from './matmul-tiled.wgsl?raw';

// The f16 kernels are matmul-tiled.wgsl with its "stage" block (the staged tile type, the conversion into it
// and the multiply-add) swapped; everything else, tiling and indexing included, is the f32 kernel's text.
const STAGE_BLOCK = /\/\/ stage: begin\n[\s\S]*?\/\/ stage: end\n/;

// shader-f16: tiles in vec4<f16> (half the workgroup memory), products in f16, sums in f32. Compiled only on devices
// with shader-f16, which SwiftShader lacks: there the emulated block below stands in for it in the tests.
const F16_STAGE = `enable f16;
alias S = f16;
alias S4 = vec4<f16>;
fn toStage(v: vec4f) -> S4 { return S4(v); }
fn madd(acc: vec4f, a: S, b: S4) -> vec4f { return acc + vec4f(a * b); }
`;

// The same arithmetic on f32 hardware: staged values and products rounded to f16 (a product of two f16
// values is exact in f32, so rounding it gives the f16 product), sums in f32.
const F16_EMULATED_STAGE = `alias S = f32;
alias S4 = vec4<f32>;
fn toF16(v: vec4f) -> vec4f { return vec4f(unpack2x16float(pack2x16float(v.xy)), unpack2x16float(pack2x16float(v.zw))); }
fn toStage(v: vec4f) -> S4 { return toF16(v); }
fn madd(acc: vec4f, a: S, b: S4) -> vec4f { return acc + toF16(a * b); }
`;

function withStage(block: string): string {
  if (!STAGE_BLOCK.test(source)) throw new Error('matmul-tiled.wgsl: no "stage: begin/end" block to swap');
  return source.replace(STAGE_BLOCK, block);
}

/** The tiled kernel per staging precision; a module is created only when first run, so the f16 one only where asked for. */
export const tiledKernels: Record<GemmPrecision, Kernel> = {
  f32: { name: 'matmul-tiled', source, entryPoint: 'tiled' },
  f16: { name: 'matmul-tiled-f16', source: withStage(F16_STAGE), entryPoint: 'tiled' },
  'f16-emulated': { name: 'matmul-tiled-f16-emulated', source: withStage(F16_EMULATED_STAGE), entryPoint: 'tiled' },
};

/** How the tiled kernel reads an operand (its A_LOAD / B_LOAD override; see matmul-tiled.wgsl). */
export type TiledLoad = 0 | 1 | 2;
export interface TiledLoads {
  a: TiledLoad;
  b: TiledLoad;
}
const SCALAR = 0;
const ALONG_K = 1;
const ALONG_MN = 2;

/** The widest loads each operand's layout allows: vec4s need a unit stride, a multiple-of-4 run and 16-byte aligned starts. */
export function tiledLoads(d: GemmDesc): TiledLoads {
  const aligned = (...v: number[]): boolean => v.every((x) => x % 4 === 0);
  // A batch stride moves the start of every batch but the first.
  const sbA = d.batch > 1 ? d.a.sb : 0;
  const sbB = d.batch > 1 ? d.b.sb : 0;
  const a = d.a.sc === 1 && aligned(d.K, d.a.off, d.a.sr, sbA) ? ALONG_K : d.a.sr === 1 && aligned(d.M, d.a.off, d.a.sc, sbA) ? ALONG_MN : SCALAR;
  const b = d.b.sc === 1 && aligned(d.N, d.b.off, d.b.sr, sbB) ? ALONG_MN : d.b.sr === 1 && aligned(d.K, d.b.off, d.b.sc, sbB) ? ALONG_K : SCALAR;
  return { a, b };
}

/** `tile` with its per-thread block filled in (4×4), checked against the kernel and this device's limits. */
export function tiledTile(gpu: Gpu, tile: MatmulTile, precision: GemmPrecision): Required<MatmulTile> {
  const t = { x: tile.x, y: tile.y, k: tile.k, tm: tile.tm ?? 4, tn: tile.tn ?? 4 };
  const bad = (problem: string): Error => new Error(`gemm: tiled tile ${JSON.stringify(t)}: ${problem}`);
  if (![t.x, t.y, t.k].every((v) => Number.isInteger(v) && v > 0)) throw bad('x, y and k must be positive integers');
  if (![4, 8].includes(t.tm) || ![4, 8].includes(t.tn)) throw bad('tm and tn must be 4 or 8');
  if (t.k % 4 !== 0) throw bad('k must be a multiple of 4');
  const problem = workgroupProblem(gpu, t.x, t.y, (t.y * t.tm + t.x * t.tn) * t.k * (precision === 'f16' ? 2 : 4));
  if (problem) throw bad(problem);
  return t;
}

/** One tile configuration autotune may pick for the tiled kernel. */
export interface TiledCandidate {
  id: string;
  tile: Required<MatmulTile>;
}

function candidate(x: number, y: number, tm: number, tn: number, k: number): TiledCandidate {
  return { id: `${y * tm}x${x * tn} (${y}x${x} threads of ${tm}x${tn}) k${k}`, tile: { x, y, k, tm, tn } };
}

// Blocks of y (BM × BN) from small to large; the first (the untuned default) is what a failed tuning leaves.
const NARROW = [candidate(8, 8, 4, 4, 16), candidate(16, 4, 4, 4, 16), candidate(4, 16, 4, 4, 16), candidate(32, 4, 4, 4, 8)];
const WIDE = [candidate(8, 8, 4, 4, 16), candidate(16, 16, 4, 4, 16), candidate(8, 8, 8, 8, 16), candidate(16, 16, 8, 4, 8), candidate(16, 16, 8, 8, 8)];

/** A few tile configurations to measure for an M × N product: thin blocks when either side is short, big ones otherwise. */
export function tiledCandidates(M: number, N: number): readonly TiledCandidate[] {
  return Math.min(M, N) < 64 ? NARROW : WIDE;
}

// The scratch product of a tuning run has at most TUNE_ROWS rows (over the batch) and TUNE_COLS columns, which bounds
// its time and memory (8 MiB) whatever the caller's size. Both are multiples of 4, so vec4 loads stay aligned.
const TUNE_ROWS = 512;
const TUNE_COLS = 4096;

/**
 * The product autotune measures for `d`: the same operands and strides over at most TUNE_ROWS × TUNE_COLS of y,
 * written to a compact scratch output (never the caller's, which beta ≠ 0 accumulates into).
 */
export function tuneDesc(d: GemmDesc): GemmDesc {
  const M = Math.min(d.M, TUNE_ROWS);
  const N = Math.min(d.N, TUNE_COLS);
  const batch = Math.min(d.batch, Math.max(1, Math.floor(TUNE_ROWS / M)));
  return { ...d, M, N, batch, c: { off: 0, sb: M * N, sr: N, sc: 1 } };
}

/** The shape class a tuned choice is shared by: sizes rounded to powers of two, the loads and the precision. */
export function tuneProblem(d: GemmDesc, loads: TiledLoads, precision: GemmPrecision): string {
  return `gemm-tiled ${precision} ${sizeClass(d.M)}x${sizeClass(d.K)}x${sizeClass(d.N)} batch ${sizeClass(d.batch)} loads ${loads.a}${loads.b}`;
}
