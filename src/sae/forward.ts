import type { Gpu, GpuTensor } from '../gpu/index.js';
import { activate } from './kernels/sae-dense-act.js';
import { matmulAB, matmulABt } from './products.js';
import { rowNorms } from './kernels/sae-rows.js';
import { addRowVector } from './kernels/sae-rowvec.js';
import { sparseDecode, type SparseCode } from './kernels/sae-sparse-gather.js';
import { topkMerge, topkSelect, type DeadMask } from './kernels/sae-topk.js';
import type { SaeGpu } from './sae-gpu.js';
import type { SparseScratch, Workspace } from './workspace.js';

/**
 * Top-k over all shards' pre-activations into scratch.code: one selection when the latents fit one
 * binding, else a selection per shard followed by a merge of the candidates.
 */
export async function selectTopk(gpu: Gpu, sae: SaeGpu, pre: GpuTensor[], s: SparseScratch, mask?: DeadMask): Promise<void> {
  if (!s.cand) {
    await topkSelect(gpu, pre[0], s.k, 0, { val: s.code.val, idx: s.code.idx, offset: 0 }, mask);
    return;
  }
  for (let i = 0; i < sae.shards.length; i++) {
    await topkSelect(gpu, pre[i], s.k, sae.shards[i].c0, { val: s.cand.val, idx: s.cand.idx, offset: i * s.k }, mask);
  }
  await topkMerge(gpu, s.cand.val, s.cand.idx, s.k, { val: s.code.val, idx: s.code.idx, offset: 0 });
}

/** y = relu(code) · W_dec (+ b_dec) summed over shards. */
export async function decodeSparse(gpu: Gpu, sae: SaeGpu, code: SparseCode, y: GpuTensor, withBias: boolean): Promise<void> {
  for (let i = 0; i < sae.shards.length; i++) {
    const s = sae.shards[i];
    await sparseDecode(gpu, code, { w: s.wDec, c0: s.c0 }, y, { beta: i === 0 ? 0 : 1, bias: i === 0 && withBias ? sae.bDec : undefined });
  }
}

/**
 * Forward pass of ws.x: decoder row norms, pre = x_in·W_enc + b_enc, the activation (dense f or the
 * TopK code) and x̂ = f·W_dec + b_dec. JumpReLU reads sae.theta as it is (refresh it first when training).
 */
export async function forward(gpu: Gpu, sae: SaeGpu, ws: Workspace): Promise<void> {
  for (const s of sae.shards) await rowNorms(gpu, s.wDec, ws.norms, s.c0);
  if (sae.applyBDecToInput) await addRowVector(gpu, ws.x, sae.bDec, ws.xin, -1);
  for (let i = 0; i < sae.shards.length; i++) {
    const s = sae.shards[i];
    await matmulABt(gpu, ws.xin, s.wEncT, ws.pre[i], { bias: sae.bEnc, biasOffset: s.c0 });
  }
  if (ws.topk) {
    await selectTopk(gpu, sae, ws.pre, ws.topk);
    await decodeSparse(gpu, sae, ws.topk.code, ws.xhat, true);
    return;
  }
  const arch = sae.arch === 'jumprelu' ? 'jumprelu' : 'relu';
  for (let i = 0; i < sae.shards.length; i++) {
    const s = sae.shards[i];
    await activate(gpu, arch, ws.pre[i], ws.f[i], s.c0, sae.theta ?? undefined);
  }
  for (let i = 0; i < sae.shards.length; i++) {
    const s = sae.shards[i];
    await matmulAB(gpu, ws.f[i], s.wDec, ws.xhat, { beta: i === 0 ? 0 : 1, ...(i === 0 ? { bias: sae.bDec } : {}) });
  }
}
