import type { Gemma2Config, ProjectionKind } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { attention } from './kernels/attention.js';
import { geglu } from './kernels/geglu.js';
import { projMatmul } from './kernels/proj-matmul.js';
import { addRmsNorm, rmsNorm } from './kernels/rms-norm.js';
import { rope } from './kernels/rope.js';
import { applyLora, type LayerLora, type LoraTarget } from './lora.js';
import type { LayerWeights } from './weights.js';
import { view, type Workspace } from './workspace.js';

/** What one chunk's layers share: all streams' rows = streams × seqs × seq tokens. */
export interface LayerContext {
  gpu: Gpu;
  config: Gemma2Config;
  ws: Workspace;
  /** the residual stream [streams · tokens, hidden], updated in place */
  x: GpuTensor;
  streams: number;
  /** sequences per stream in this chunk */
  seqs: number;
  seq: number;
  /** cos/sin table [seq, hd/2, 2] */
  ropeTable: GpuTensor;
  lora: LoraTarget;
}

/** y = x Wᵀ for all streams at once (one weight read), then every adapter stream's LoRA term (two dispatches). */
async function project(ctx: LayerContext, w: LayerWeights, lora: LayerLora, kind: ProjectionKind, x: GpuTensor, y: GpuTensor): Promise<void> {
  await projMatmul(ctx.gpu, x, w.proj[kind], y, { m: x.shape[0] });
  await applyLora(ctx.lora, lora, kind, x, y);
}

/** x += rms(o_proj(attention(rope(q), rope(k), v)), post_attention_layernorm), with q/k/v from rms(x, input_layernorm). */
export async function attentionBlock(ctx: LayerContext, layer: number, w: LayerWeights, lora: LayerLora): Promise<void> {
  const { gpu, config: c, ws } = ctx;
  const rows = ctx.x.shape[0];
  const hd = c.headDim;
  const h = ws.get('h', [rows, c.hiddenSize]);
  await rmsNorm(gpu, ctx.x, w.norms.input_layernorm, c.rmsNormEps, h);
  const q = ws.get('q', [rows, c.numAttentionHeads * hd]);
  const k = ws.get('k', [rows, c.numKeyValueHeads * hd]);
  const v = ws.get('v', [rows, c.numKeyValueHeads * hd]);
  await project(ctx, w, lora, 'q_proj', h, q);
  await project(ctx, w, lora, 'k_proj', h, k);
  await project(ctx, w, lora, 'v_proj', h, v);
  await rope(gpu, view(q, [rows, c.numAttentionHeads, hd]), ctx.ropeTable, ctx.seq);
  await rope(gpu, view(k, [rows, c.numKeyValueHeads, hd]), ctx.ropeTable, ctx.seq);
  const o = ws.get('o', [rows, c.numAttentionHeads * hd]);
  const seqs = ctx.streams * ctx.seqs;
  await attention(
    gpu,
    view(q, [seqs, ctx.seq, c.numAttentionHeads, hd]),
    view(k, [seqs, ctx.seq, c.numKeyValueHeads, hd]),
    view(v, [seqs, ctx.seq, c.numKeyValueHeads, hd]),
    view(o, [seqs, ctx.seq, c.numAttentionHeads, hd]),
    // Gemma-2: even layers use the sliding window, odd layers are global
    { scale: c.queryPreAttnScalar ** -0.5, cap: c.attnLogitSoftcapping, window: layer % 2 === 0 ? c.slidingWindow : 0 },
  );
  const a = ws.get('a', [rows, c.hiddenSize]);
  await project(ctx, w, lora, 'o_proj', o, a);
  await addRmsNorm(gpu, a, w.norms.post_attention_layernorm, c.rmsNormEps, ctx.x);
}

/** x += rms(down(gelu_tanh(gate(hn)) · up(hn)), post_feedforward_layernorm), hn = rms(x, pre_feedforward_layernorm). */
export async function mlpBlock(ctx: LayerContext, layer: number, w: LayerWeights, lora: LayerLora): Promise<void> {
  const { gpu, config: c, ws } = ctx;
  const rows = ctx.x.shape[0];
  const h = ws.get('h', [rows, c.hiddenSize]);
  await rmsNorm(gpu, ctx.x, w.norms.pre_feedforward_layernorm, c.rmsNormEps, h);
  const gate = ws.get('gate', [rows, c.intermediateSize]);
  const up = ws.get('up', [rows, c.intermediateSize]);
  await project(ctx, w, lora, 'gate_proj', h, gate);
  await project(ctx, w, lora, 'up_proj', h, up);
  await geglu(gpu, gate, up);
  const m = ws.get('a', [rows, c.hiddenSize]);
  await project(ctx, w, lora, 'down_proj', gate, m);
  await addRmsNorm(gpu, m, w.norms.post_feedforward_layernorm, c.rmsNormEps, ctx.x);
}
