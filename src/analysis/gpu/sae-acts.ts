import { matmul, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { saeActivate } from '../kernels/sae-activate.js';
import { topkCut } from '../kernels/topk-cut.js';
import { activationOf, checkSaeShapes, normaliseRow, type SaeDictionary } from '../sae-dictionary.js';
import { withShape } from './row-source.js';

/** Activations of a batch of tokens and, per token, the factor that maps the SAE's normalised input back. */
export interface SaeActs {
  /** [rows, m] */
  acts: Float32Array;
  /** [rows] */
  scale: Float64Array;
}

/**
 * An SAE's encoder resident on the GPU: acts = σ(x_n·W_enc + b_enc′) for batches of tokens, read back whole
 * (the dashboards fold them on the CPU). The input normalisation runs on the CPU in float64, as in
 * evaluateSaeGpu; subtracting b_dec from the input is folded into the bias.
 */
export class SaeActsGpu {
  private constructor(
    private readonly gpu: Gpu,
    private readonly sae: SaeDictionary,
    /** most tokens per call */
    readonly batchRows: number,
    private readonly t: { wEnc: GpuTensor; bEnc: GpuTensor; threshold: GpuTensor; x: GpuTensor; acts: GpuTensor; l0: GpuTensor; cut: GpuTensor; fires: GpuTensor },
  ) {}

  /** @param batchRows requested tokens per call (fewer when [batch, dSae] would exceed a storage binding) */
  static create(gpu: Gpu, sae: SaeDictionary, batchRows = 4096): SaeActsGpu {
    checkSaeShapes(sae);
    const kind = activationOf(sae);
    const { dIn: d, dSae: m } = sae;
    const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    const batch = Math.max(1, Math.min(batchRows, Math.floor(limit / (4 * Math.max(m, d)))));
    const bias = Float64Array.from(sae.b_enc);
    if (sae.applyBDecToInput) {
      for (let j = 0; j < d; j++) for (let i = 0; i < m; i++) bias[i] -= sae.b_dec[j] * sae.W_enc[j * m + i];
    }
    const owned: GpuTensor[] = [];
    const keep = (x: GpuTensor) => (owned.push(x), x);
    try {
      return new SaeActsGpu(gpu, sae, batch, {
        wEnc: keep(gpu.upload(sae.W_enc, [d, m], 'f32', 'latents.W_enc')),
        bEnc: keep(gpu.upload(Float32Array.from(bias), [m], 'f32', 'latents.b_enc')),
        threshold: keep(kind === 'jumprelu' ? gpu.upload(sae.threshold as Float32Array, [m], 'f32', 'latents.threshold') : gpu.empty([1], 'f32', 'latents.no-threshold')),
        x: keep(gpu.empty([batch, d], 'f32', 'latents.x')),
        acts: keep(gpu.empty([batch, m], 'f32', 'latents.acts')),
        l0: keep(gpu.empty([batch], 'u32', 'latents.l0')),
        cut: keep(gpu.empty([kind === 'topk' ? batch : 1], 'u32', 'latents.cut')),
        fires: keep(gpu.empty([m], 'u32', 'latents.fires')),
      });
    } catch (e) {
      gpu.release(...owned);
      throw e;
    }
  }

  /**
   * @param x [rows, dIn] with rows ≤ batchRows
   * @param normScale the dataset scale for 'expected_average_only_in' (1 for delta SAEs, whose scale is folded in)
   */
  async encode(x: Float32Array, rows: number, normScale: number): Promise<SaeActs> {
    const { dIn: d, dSae: m } = this.sae;
    if (rows > this.batchRows || x.length !== rows * d) throw new Error(`SaeActsGpu.encode: ${x.length} values for ${rows} rows of ${d} (at most ${this.batchRows} rows)`);
    const kind = activationOf(this.sae);
    const xn = new Float32Array(rows * d);
    const scale = new Float64Array(rows);
    const row = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) row[j] = x[r * d + j];
      scale[r] = normaliseRow(this.sae.normalizeActivations, row, normScale).scale;
      for (let j = 0; j < d; j++) xn[r * d + j] = row[j];
    }
    const { t, gpu } = this;
    gpu.write(t.x, xn);
    const ab = withShape(t.acts, [rows, m]);
    await matmul(gpu, withShape(t.x, [rows, d]), t.wEnc, { bias: t.bEnc, out: ab });
    if (kind === 'topk') await topkCut(gpu, ab, this.sae.k as number, withShape(t.cut, [rows]));
    await saeActivate(gpu, ab, kind, t.threshold, kind === 'topk' ? withShape(t.cut, [rows]) : t.cut, withShape(t.l0, [rows]), t.fires);
    return { acts: new Float32Array(await gpu.readBytes(ab, rows * m * 4)), scale };
  }

  release(): void {
    const t = this.t;
    this.gpu.release(t.wEnc, t.bEnc, t.threshold, t.x, t.acts, t.l0, t.cut, t.fires);
  }
}
