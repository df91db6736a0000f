import type { Gpu, GpuTensor } from '../gpu/index.js';
import type { Csr } from './kernels/sae-csr.js';
import type { SparseCode } from './kernels/sae-sparse-gather.js';
import type { SaeGpu } from './sae-gpu.js';

/** A TopK selection: the code plus the scratch it needs (per-shard candidates, CSR lists, code gradient). */
export interface SparseScratch {
  k: number;
  code: SparseCode;
  /** [rows, shards·k] per-shard candidates (only when there is more than one shard) */
  cand: SparseCode | null;
  /** [rows, k] d loss / d code value */
  gval: GpuTensor;
  csr: Csr;
}

/** Every per-batch buffer of a forward/backward pass, for up to `rows` rows. */
export interface Workspace {
  rows: number;
  d: number;
  m: number;
  /** [rows, d] the batch (already scaled) */
  x: GpuTensor;
  /** [rows, d] x − b_dec when the SAE subtracts b_dec first; else the same tensor as x */
  xin: GpuTensor;
  xhat: GpuTensor;
  gxhat: GpuTensor;
  /** [rows] */
  sse: GpuTensor;
  /** per shard [rows, mc]: pre-activations; dense archs also f, g_f, g_pre */
  pre: GpuTensor[];
  f: GpuTensor[];
  gf: GpuTensor[];
  gpre: GpuTensor[];
  /** [m, 4] fires, fsum, window pairs */
  latStats: GpuTensor;
  /** [m] decoder row norms */
  norms: GpuTensor;
  topk: SparseScratch | null;
  /** AuxK: selection among dead latents, ê, its gradient and per-row error */
  aux: (SparseScratch & { ehat: GpuTensor; gehat: GpuTensor; sse: GpuTensor }) | null;
  all: GpuTensor[];
}

function sparseScratch(gpu: Gpu, rows: number, k: number, m: number, shards: number, take: (t: GpuTensor) => GpuTensor): SparseScratch {
  return {
    k,
    code: { val: take(gpu.empty([rows, k], 'f32', 'sae.code.val')), idx: take(gpu.empty([rows, k], 'u32', 'sae.code.idx')) },
    cand: shards > 1 ? { val: take(gpu.empty([rows, shards * k], 'f32', 'sae.cand.val')), idx: take(gpu.empty([rows, shards * k], 'u32', 'sae.cand.idx')) } : null,
    gval: take(gpu.empty([rows, k], 'f32', 'sae.code.g')),
    csr: { offsets: take(gpu.empty([m + 1], 'u32', 'sae.csr.offsets')), entries: take(gpu.empty([rows * k], 'u32', 'sae.csr.entries')) },
  };
}

/** Allocates the buffers a batch of `rows` needs for this SAE (auxK > 0 adds the AuxK buffers). */
export function createWorkspace(sae: SaeGpu, rows: number, auxK = 0): Workspace {
  const { gpu, d, m } = sae;
  const all: GpuTensor[] = [];
  const take = (t: GpuTensor): GpuTensor => (all.push(t), t);
  const dense = sae.arch !== 'topk';
  const perShard = (label: string): GpuTensor[] => sae.shards.map((s) => take(gpu.empty([rows, s.mc], 'f32', label)));
  const x = take(gpu.empty([rows, d], 'f32', 'sae.x'));
  return {
    rows, d, m, x,
    xin: sae.applyBDecToInput ? take(gpu.empty([rows, d], 'f32', 'sae.xin')) : x,
    xhat: take(gpu.empty([rows, d], 'f32', 'sae.xhat')),
    gxhat: take(gpu.empty([rows, d], 'f32', 'sae.gxhat')),
    sse: take(gpu.empty([rows], 'f32', 'sae.sse')),
    pre: perShard('sae.pre'),
    f: dense ? perShard('sae.f') : [],
    gf: dense ? perShard('sae.gf') : [],
    gpre: dense ? perShard('sae.gpre') : [],
    latStats: take(gpu.empty([m, 4], 'f32', 'sae.latStats')),
    norms: take(gpu.empty([m], 'f32', 'sae.norms')),
    topk: sae.arch === 'topk' ? sparseScratch(gpu, rows, sae.k, m, sae.shards.length, take) : null,
    aux: sae.arch === 'topk' && auxK > 0
      ? {
          ...sparseScratch(gpu, rows, auxK, m, sae.shards.length, take),
          ehat: take(gpu.empty([rows, d], 'f32', 'sae.ehat')),
          gehat: take(gpu.empty([rows, d], 'f32', 'sae.gehat')),
          sse: take(gpu.empty([rows], 'f32', 'sae.auxSse')),
        }
      : null,
    all,
  };
}

/** The same workspace seen as a batch of r ≤ rows rows (views of the leading rows, no copies). */
export function sliceWorkspace(ws: Workspace, r: number): Workspace {
  if (r === ws.rows) return ws;
  if (r < 1 || r > ws.rows) throw new Error(`sliceWorkspace: ${r} rows, workspace holds ${ws.rows}`);
  const rowsOf = (t: GpuTensor): GpuTensor => ({ ...t, shape: [r, ...t.shape.slice(1)] });
  const scratch = <S extends SparseScratch>(s: S): S => ({
    ...s,
    code: { val: rowsOf(s.code.val), idx: rowsOf(s.code.idx) },
    cand: s.cand ? { val: rowsOf(s.cand.val), idx: rowsOf(s.cand.idx) } : null,
    gval: rowsOf(s.gval),
    csr: { offsets: s.csr.offsets, entries: { ...s.csr.entries, shape: [r * s.k] } },
  });
  return {
    ...ws,
    rows: r,
    x: rowsOf(ws.x), xin: rowsOf(ws.xin), xhat: rowsOf(ws.xhat), gxhat: rowsOf(ws.gxhat), sse: { ...ws.sse, shape: [r] },
    pre: ws.pre.map(rowsOf), f: ws.f.map(rowsOf), gf: ws.gf.map(rowsOf), gpre: ws.gpre.map(rowsOf),
    topk: ws.topk ? scratch(ws.topk) : null,
    aux: ws.aux ? { ...scratch(ws.aux), ehat: rowsOf(ws.aux.ehat), gehat: rowsOf(ws.aux.gehat), sse: { ...ws.aux.sse, shape: [r] } } : null,
  };
}

export function releaseWorkspace(gpu: Gpu, ws: Workspace): void {
  gpu.release(...ws.all);
}
