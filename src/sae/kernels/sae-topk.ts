import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { dummyTensor } from './dummy.js';
import source from './sae-topk.wgsl?raw';

export const saeTopkKernel = { name: 'sae-topk', source };
const WG = 64;
/** Largest k whose heap lives in private memory (KMAX in the WGSL); larger k keeps it in the output. */
const KMAX = 64;
/** Latent index of an empty selection slot. */
export const TOPK_SENTINEL = 0xffffffff;

export interface TopkOutput {
  /** [rows, stride] f32: raw pre-activations of the selected latents */
  val: GpuTensor;
  /** [rows, stride] u32: latent indices, best first within a row's k slots, SENTINEL for empty slots */
  idx: GpuTensor;
  /** where this selection's k slots start in each output row */
  offset: number;
}

/** Only latents with since[latent] ≥ window may be selected (AuxK). */
export interface DeadMask {
  since: GpuTensor;
  window: number;
}

/**
 * Top-k latents per row of a dense pre-activation block whose columns are latents idxOffset… .
 * @param pre [rows, n] f32
 */
export async function topkSelect(gpu: Gpu, pre: GpuTensor, k: number, idxOffset: number, out: TopkOutput, mask?: DeadMask): Promise<void> {
  const [rows, n] = pre.shape;
  checkOut(out, rows, k);
  // window 0 masks nothing
  const since = mask && mask.window > 0 ? mask.since : null;
  await gpu.run(saeTopkKernel, {
    params: packParams([{ u32: rows }, { u32: n }, { u32: k }, { u32: n }, { u32: idxOffset }, { u32: mask?.window ?? 0 }, { u32: out.val.shape[1] }, { u32: out.offset }]),
    buffers: [pre, dummyTensor(gpu, 1, 'u32'), since ?? dummyTensor(gpu, 2, 'u32'), out.val, out.idx],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG, MODE: 0, MASKED: since ? 1 : 0, PRIVATE: k <= KMAX ? 1 : 0 },
  });
}

/**
 * Top-k of candidate lists (value, latent) per row, e.g. the concatenated per-shard selections.
 * @param val [rows, n] f32  @param idx [rows, n] u32
 */
export async function topkMerge(gpu: Gpu, val: GpuTensor, idx: GpuTensor, k: number, out: TopkOutput): Promise<void> {
  const [rows, n] = val.shape;
  expectShape('topkMerge: idx', idx, [rows, n]);
  checkOut(out, rows, k);
  await gpu.run(saeTopkKernel, {
    params: packParams([{ u32: rows }, { u32: n }, { u32: k }, { u32: n }, { u32: 0 }, { u32: 0 }, { u32: out.val.shape[1] }, { u32: out.offset }]),
    buffers: [val, idx, dummyTensor(gpu, 3, 'u32'), out.val, out.idx],
    workgroups: Math.ceil(rows / WG),
    overrides: { WG, MODE: 1, MASKED: 0, PRIVATE: k <= KMAX ? 1 : 0 },
  });
}

function checkOut(out: TopkOutput, rows: number, k: number): void {
  if (k < 1) throw new Error(`topk: k must be ≥ 1, got ${k}`);
  expectShape('topk: out.val', out.val, [rows, -1]);
  expectShape('topk: out.idx', out.idx, [rows, out.val.shape[1]]);
  if (out.offset + k > out.val.shape[1]) throw new Error(`topk: ${k} slots at offset ${out.offset} exceed output width ${out.val.shape[1]}`);
}
