import type { Gpu, GpuTensor } from '../gpu/index.js';
import type { SaeArch } from './config.js';
import { expInto } from './kernels/sae-exp.js';
import { planShards, type ShardRange } from './shards.js';

/** Host copy of an SAE's parameters, in the fixtures' / SAELens' layout. */
export interface SaeParams {
  arch: SaeArch;
  d: number;
  m: number;
  /** TopK only. */
  k?: number;
  /** [d, m] */
  W_enc: Float32Array;
  /** [m] */
  b_enc: Float32Array;
  /** [m, d] */
  W_dec: Float32Array;
  /** [d] */
  b_dec: Float32Array;
  /** [m], JumpReLU: theta = exp(log_theta). */
  log_theta?: Float32Array;
  applyBDecToInput: boolean;
}

/** One latent shard's weights: the encoder stored transposed so a shard's rows are contiguous. */
export interface SaeShard extends ShardRange {
  /** [mc, d] = W_enc[:, c0 : c0 + mc]ᵀ */
  wEncT: GpuTensor;
  /** [mc, d] = W_dec[c0 : c0 + mc, :] */
  wDec: GpuTensor;
}

/** An SAE living on the GPU, split into latent shards so no binding exceeds the device limit. */
export class SaeGpu {
  private constructor(
    readonly gpu: Gpu,
    readonly arch: SaeArch,
    readonly d: number,
    readonly m: number,
    readonly k: number,
    readonly applyBDecToInput: boolean,
    readonly shards: SaeShard[],
    /** [m] */
    readonly bEnc: GpuTensor,
    /** [d] */
    readonly bDec: GpuTensor,
    /** [m] log thresholds (JumpReLU training parameter; null otherwise) */
    readonly logTheta: GpuTensor | null,
    /** [m] thresholds used by the kernels (JumpReLU; refreshed from logTheta each training step) */
    readonly theta: GpuTensor | null,
  ) {}

  /**
   * Uploads parameters. `rows` is the largest batch the SAE will see (it bounds the activation shards);
   * `threshold` may be given instead of log_theta for evaluation of a loaded JumpReLU SAE.
   */
  static upload(gpu: Gpu, p: SaeParams, opts: { rows: number; maxBindingBytes?: number; threshold?: Float32Array }): SaeGpu {
    const { d, m } = p;
    const ranges = planShards(m, d, opts.rows, opts.maxBindingBytes ?? gpu.limits.maxStorageBufferBindingSize);
    const shards = ranges.map((r) => {
      const encT = new Float32Array(r.mc * d);
      for (let i = 0; i < r.mc; i++) for (let c = 0; c < d; c++) encT[i * d + c] = p.W_enc[c * m + r.c0 + i];
      return {
        ...r,
        wEncT: gpu.upload(encT, [r.mc, d], 'f32', 'sae.wEncT'),
        wDec: gpu.upload(p.W_dec.subarray(r.c0 * d, (r.c0 + r.mc) * d), [r.mc, d], 'f32', 'sae.wDec'),
      };
    });
    let logTheta: GpuTensor | null = null;
    let theta: GpuTensor | null = null;
    if (p.arch === 'jumprelu') {
      const th = opts.threshold ?? p.log_theta?.map(Math.exp);
      if (!th) throw new Error('SaeGpu.upload: a JumpReLU SAE needs log_theta or a threshold');
      theta = gpu.upload(Float32Array.from(th), [m], 'f32', 'sae.theta');
      logTheta = gpu.upload(p.log_theta ?? th.map(Math.log), [m], 'f32', 'sae.logTheta');
    }
    return new SaeGpu(
      gpu, p.arch, d, m, p.k ?? 0, p.applyBDecToInput, shards,
      gpu.upload(p.b_enc, [m], 'f32', 'sae.bEnc'), gpu.upload(p.b_dec, [d], 'f32', 'sae.bDec'), logTheta, theta,
    );
  }

  /** Reads every parameter back into the host layout. */
  async download(): Promise<SaeParams> {
    const { d, m } = this;
    const W_enc = new Float32Array(d * m);
    const W_dec = new Float32Array(m * d);
    for (const s of this.shards) {
      const encT = await this.gpu.read(s.wEncT);
      for (let i = 0; i < s.mc; i++) for (let c = 0; c < d; c++) W_enc[c * m + s.c0 + i] = encT[i * d + c];
      W_dec.set(await this.gpu.read(s.wDec), s.c0 * d);
    }
    return {
      arch: this.arch, d, m, ...(this.arch === 'topk' ? { k: this.k } : {}),
      W_enc, b_enc: await this.gpu.read(this.bEnc), W_dec, b_dec: await this.gpu.read(this.bDec),
      ...(this.logTheta ? { log_theta: await this.gpu.read(this.logTheta) } : {}),
      applyBDecToInput: this.applyBDecToInput,
    };
  }

  /** theta = exp(log_theta) on the GPU (JumpReLU training: after every update, so theta is always current). */
  async refreshThreshold(): Promise<void> {
    if (this.logTheta && this.theta) await expInto(this.gpu, this.logTheta, this.theta);
  }

  /** The thresholds the kernels use (JumpReLU), for export as SAELens/Gemma Scope `threshold`. */
  async readThreshold(): Promise<Float32Array | undefined> {
    return this.theta ? this.gpu.read(this.theta) : undefined;
  }

  release(): void {
    for (const s of this.shards) this.gpu.release(s.wEncT, s.wDec);
    this.gpu.release(this.bEnc, this.bDec, this.logTheta, this.theta);
  }
}
