import { GpuError, InputError, throwIfAborted } from '../errors/index.js';
import { PROJECTION_KINDS, projectionShape, type Gemma2Config, type LoraAdapter, type SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { progressReporter } from '../progress/index.js';
import { Embedder } from './embedding.js';
import { MAX_HEAD_DIM } from './kernels/attention.js';
import { rmsNorm } from './kernels/rms-norm.js';
import { ropeTable } from './kernels/rope.js';
import { streamDelta } from './kernels/stream-delta.js';
import { attentionBlock, mlpBlock, type LayerContext } from './layer.js';
import { LmHead } from './lm-head.js';
import { loadLayerLora, normSlot, releaseLayerLora, type LayerLora } from './lora.js';
import { formatBytes, whatFits } from './memory.js';
import { MODEL_DTYPES, type EngineOptions, type ForwardOutput, type LoraNorm } from './types.js';
import { FINAL_NORM, NORM_KINDS, normName, projectionName } from './weight-names.js';
import { loadLayerWeights, releaseLayerWeights, withOomScope, type LayerWeights } from './weights.js';
import { Workspace } from './workspace.js';

const OPTIONS = 'engine options';
const DEFAULT_MAX_BATCH_TOKENS = 2048;
const GELU_TANH = new Set(['gelu_pytorch_tanh', 'gelu_tanh', 'gelu_new']);

/** Checks options and config before anything is read or allocated. */
function validate(config: Gemma2Config, opts: EngineOptions): number {
  if (!MODEL_DTYPES.includes(opts.dtype)) throw new InputError(OPTIONS, `dtype "${opts.dtype}" is not one of ${MODEL_DTYPES.join(', ')}`);
  if (opts.layers.length === 0) throw new InputError(OPTIONS, 'no layers requested');
  for (const l of opts.layers) {
    if (!Number.isInteger(l) || l < 0 || l >= config.numHiddenLayers) throw new InputError(OPTIONS, `layer ${l} is outside 0..${config.numHiddenLayers - 1}`);
  }
  if (config.headDim > MAX_HEAD_DIM || config.headDim % 2 !== 0) throw new InputError('config.json', `head_dim ${config.headDim} is not supported (even, at most ${MAX_HEAD_DIM})`);
  if (config.numAttentionHeads % config.numKeyValueHeads !== 0) throw new InputError('config.json', `num_attention_heads ${config.numAttentionHeads} is not a multiple of num_key_value_heads ${config.numKeyValueHeads}`);
  if (!GELU_TANH.has(config.hiddenActivation)) throw new InputError('config.json', `hidden_activation "${config.hiddenActivation}" is not supported (Gemma-2 uses gelu_pytorch_tanh)`);
  const maxBatchTokens = opts.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS;
  if (!Number.isInteger(maxBatchTokens) || maxBatchTokens < 1) throw new InputError(OPTIONS, `maxBatchTokens ${maxBatchTokens} is not a positive integer`);
  return maxBatchTokens;
}

/** Refuses, with the numbers, a batch whose outputs this device cannot bind (never tries and loses the device). */
function checkBinding(gpu: Gpu, what: string, largest: number): void {
  const bindingLimit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  if (largest > bindingLimit) {
    throw new GpuError('gpu-out-of-memory', `${what} needs a ${formatBytes(largest)} buffer, but this GPU binds at most ${formatBytes(bindingLimit)} (maxStorageBufferBindingSize ${gpu.limits.maxStorageBufferBindingSize}, maxBufferSize ${gpu.limits.maxBufferSize}); use fewer tokens per batch, fewer adapters or no logits`);
  }
}

/**
 * Gemma-2 with K LoRA adapters run as K+1 streams of one batch (stream 0 = base). Each base weight is read
 * once per step for all streams; each adapter adds its own unmerged LoRA term. Forwards run one at a time.
 */
export class GemmaEngine {
  readonly streams: number;
  readonly adapterNames: string[];
  /** layers loaded and run: 0..max(requested) */
  readonly layerCount: number;

  private constructor(
    private readonly gpu: Gpu,
    private readonly config: Gemma2Config,
    private readonly adapters: readonly LoraAdapter[],
    private readonly opts: EngineOptions,
    private readonly maxBatchTokens: number,
    private readonly weights: LayerWeights[],
    private readonly lora: LayerLora[],
    private readonly embedder: Embedder,
    private readonly head: { norm: GpuTensor; lm: LmHead } | null,
  ) {
    this.streams = adapters.length + 1;
    this.adapterNames = adapters.map((a) => a.name);
    this.layerCount = weights.length;
  }

  static async load(gpu: Gpu, model: SafetensorsCheckpoint, config: Gemma2Config, adapters: LoraAdapter[], opts: EngineOptions): Promise<GemmaEngine> {
    const maxBatchTokens = validate(config, opts);
    const layerCount = Math.max(...opts.layers) + 1;
    // the exact LoRA sizes, also for the fewer layers or adapters that whatFits tries
    const loraParams = (layers: number, k: number) => adapters.slice(0, k).reduce((s, a) => s + a.modules.filter((m) => m.layer < layers).reduce((t, m) => t + m.r * m.inFeatures + m.outFeatures * m.r, 0), 0);
    const request = { dtype: opts.dtype, layers: opts.layers, adapters: adapters.length, batchTokens: maxBatchTokens, logits: opts.logits, residMid: opts.residMid, loraParams };
    const noFit = whatFits(config, request, { maxBufferBytes: gpu.limits.maxBufferSize, maxBindingBytes: gpu.limits.maxStorageBufferBindingSize, budgetBytes: opts.memoryBudgetBytes });
    if (noFit) throw new GpuError('gpu-out-of-memory', noFit.statement);
    for (let l = 0; l < layerCount; l++) {
      for (const k of NORM_KINDS) expectTensor(model, normName(l, k), [config.hiddenSize]);
      for (const k of PROJECTION_KINDS) expectTensor(model, projectionName(l, k), projectionShape(config, k));
    }
    const weights: LayerWeights[] = [];
    const lora: LayerLora[] = [];
    let head: { norm: GpuTensor; lm: LmHead } | null = null;
    const progress = progressReporter('load', layerCount, opts.onProgress);
    try {
      await withOomScope(gpu, 'loading the model', async () => {
        for (let l = 0; l < layerCount; l++) {
          throwIfAborted(opts.signal, 'model loading');
          weights.push(await loadLayerWeights(gpu, model, config, l, opts.dtype));
          lora.push(await loadLayerLora(gpu, adapters, config, l, layerCount));
          await gpu.sync();
          progress.update(l + 1);
        }
        if (opts.logits) {
          const norm = gpu.upload(await model.readF32(FINAL_NORM), [config.hiddenSize], 'f32', FINAL_NORM);
          head = { norm, lm: await LmHead.load(gpu, model, config) };
        }
      });
    } catch (e) {
      for (const w of weights) releaseLayerWeights(gpu, w);
      for (const l of lora) releaseLayerLora(gpu, l);
      const h = head as { norm: GpuTensor; lm: LmHead } | null;
      if (h) {
        gpu.release(h.norm);
        h.lm.release(gpu);
      }
      throw e;
    }
    progress.finish();
    return new GemmaEngine(gpu, config, adapters, opts, maxBatchTokens, weights, lora, new Embedder(model, config), head);
  }

  /**
   * Runs batch sequences of seq tokens (BOS first) through every stream.
   * @param ids [batch, seq] int32
   * @param counted [batch, seq], non-zero where a token counts in loraNorms (e.g. text only); default all
   */
  async forward(ids: Int32Array, batch: number, seq: number, counted?: Uint8Array): Promise<ForwardOutput> {
    const { gpu, config: c, opts } = this;
    if (!(batch >= 1 && seq >= 1 && Number.isInteger(batch) && Number.isInteger(seq))) throw new InputError('tokens', `batch ${batch} × seq ${seq} is not a positive size`);
    if (ids.length !== batch * seq) throw new InputError('tokens', `${ids.length} ids do not fill [${batch}, ${seq}]`);
    if (counted && counted.length !== batch * seq) throw new InputError('tokens', `a mask of ${counted.length} does not fit [${batch}, ${seq}]`);
    const mask = counted ?? new Uint8Array(batch * seq).fill(1);
    const h = c.hiddenSize;
    const hookBytes = this.streams * batch * seq * h * 4;
    const logitBytes = opts.logits ? this.streams * batch * seq * c.vocabSize * 4 : 0;
    checkBinding(gpu, `a batch of ${batch} × ${seq} tokens`, Math.max(hookBytes, logitBytes));
    const seqsPerChunk = Math.max(1, Math.min(batch, Math.floor(this.maxBatchTokens / seq)));
    const hooked = [...new Set(opts.layers)].sort((a, b) => a - b);
    const out = this.allocateOutputs(hooked, batch, seq);
    const ws = new Workspace(gpu);
    const table = gpu.upload(ropeTable(seq, c.headDim, c.ropeTheta), [seq, c.headDim / 2, 2], 'f32', 'rope');
    const normSums = new Float64Array(Math.max(1, this.adapters.length * this.layerCount * PROJECTION_KINDS.length));
    const progress = progressReporter('extract', batch * seq, opts.onProgress);
    try {
      for (let b0 = 0; b0 < batch; b0 += seqsPerChunk) {
        throwIfAborted(opts.signal, 'extraction');
        const nb = Math.min(seqsPerChunk, batch - b0);
        await this.runChunk(ws, table, ids.subarray(b0 * seq, (b0 + nb) * seq), mask.subarray(b0 * seq, (b0 + nb) * seq), b0, nb, batch, seq, out, normSums);
        progress.update((b0 + nb) * seq);
      }
      for (const l of hooked) if (this.adapters.length > 0) out.delta.set(l, await streamDelta(gpu, out.residPost.get(l)!, `delta.${l}`));
      gpu.flush();
    } catch (e) {
      out.release();
      throw e;
    } finally {
      ws.release();
      gpu.release(table);
    }
    progress.finish();
    out.loraNorms.push(...this.meanLoraNorms(normSums, mask.reduce((a, w) => a + (w ? 1 : 0), 0)));
    return out;
  }

  private allocateOutputs(hooked: number[], batch: number, seq: number): ForwardOutput {
    const { gpu, config: c, opts } = this;
    const shape = [this.streams, batch, seq, c.hiddenSize];
    const residPost = new Map<number, GpuTensor>();
    const delta = new Map<number, GpuTensor>();
    const residMid = opts.residMid ? new Map<number, GpuTensor>() : undefined;
    let logits: GpuTensor | undefined;
    const release = (): void => {
      gpu.release(...residPost.values(), ...delta.values(), ...(residMid?.values() ?? []), logits);
    };
    try {
      for (const l of hooked) {
        residPost.set(l, gpu.empty(shape, 'f32', `resid_post.${l}`));
        residMid?.set(l, gpu.empty(shape, 'f32', `resid_mid.${l}`));
      }
      if (opts.logits) logits = gpu.empty([this.streams, batch, seq, c.vocabSize], 'f32', 'logits');
    } catch (e) {
      release();
      throw e;
    }
    return { residPost, delta, residMid, logits, loraNorms: [], release };
  }

  /** One chunk of nb whole sequences (starting at sequence b0 of the batch) through every layer and stream. */
  private async runChunk(ws: Workspace, table: GpuTensor, ids: Int32Array, counted: Uint8Array, b0: number, nb: number, batch: number, seq: number, out: ForwardOutput, normSums: Float64Array): Promise<void> {
    const { gpu, config: c } = this;
    const h = c.hiddenSize;
    const tokens = nb * seq;
    const x = ws.get('x', [this.streams * tokens, h]);
    const emb = await this.embedder.gather(ids);
    for (let s = 0; s < this.streams; s++) gpu.write(x, emb, s * tokens * h);
    const normSlots = this.adapters.length * this.layerCount * PROJECTION_KINDS.length;
    const norms = ws.get('lora.norms', [Math.max(1, normSlots * tokens)]);
    const ctx: LayerContext = { gpu, config: c, ws, x, streams: this.streams, seqs: nb, seq, ropeTable: table, lora: { gpu, ws, tokens, norms } };
    // stream s of this chunk → rows (s·batch + b0)·seq.. of a [streams, batch, seq, ·] output
    const hook = (dst: GpuTensor): void => {
      for (let s = 0; s < this.streams; s++) gpu.copy(x, dst, tokens * h * 4, s * tokens * h * 4, (s * batch + b0) * seq * h * 4);
    };
    for (let l = 0; l < this.layerCount; l++) {
      throwIfAborted(this.opts.signal, 'extraction');
      await attentionBlock(ctx, l, this.weights[l], this.lora[l]);
      const mid = out.residMid?.get(l);
      if (mid) hook(mid);
      await mlpBlock(ctx, l, this.weights[l], this.lora[l]);
      const post = out.residPost.get(l);
      if (post) hook(post);
      gpu.flush();
    }
    if (this.head && out.logits) {
      const fn = ws.get('h', [this.streams * tokens, h]);
      await rmsNorm(gpu, x, this.head.norm, c.rmsNormEps, fn);
      for (let s = 0; s < this.streams; s++) await this.head.lm.project(gpu, fn, s * tokens * h, tokens, out.logits, (s * batch + b0) * seq);
    }
    if (normSlots > 0) {
      const perToken = await gpu.read(norms);
      for (let i = 0; i < normSlots; i++) for (let t = 0; t < tokens; t++) if (counted[t]) normSums[i] += perToken[i * tokens + t];
    }
    gpu.flush();
  }

  private meanLoraNorms(sums: Float64Array, tokens: number): LoraNorm[] {
    const out: LoraNorm[] = [];
    this.adapters.forEach((a, ai) => {
      for (const m of a.modules) {
        if (m.layer >= this.layerCount) continue;
        out.push({ adapter: a.name, layer: m.layer, module: m.module, meanNorm: tokens > 0 ? sums[normSlot(ai, m.layer, m.kind, this.layerCount)] / tokens : 0, tokens });
      }
    });
    return out;
  }

  /** Returns every weight to the pool; the engine is unusable afterwards. */
  dispose(): void {
    for (const w of this.weights) releaseLayerWeights(this.gpu, w);
    for (const l of this.lora) releaseLayerLora(this.gpu, l);
    if (this.head) {
      this.gpu.release(this.head.norm);
      this.head.lm.release(this.gpu);
    }
    this.weights.length = 0;
    this.lora.length = 0;
    this.gpu.flush();
  }
}

function expectTensor(model: SafetensorsCheckpoint, name: string, shape: readonly number[]): void {
  const info = model.info(name);
  if (info.shape.join(',') !== shape.join(',')) {
    throw new InputError(model.label, `tensor ${name} is [${info.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
  }
}
