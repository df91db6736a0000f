import { throwIfAborted } from '../../errors/index.js';
import { matmul, type Gpu, type GpuTensor } from '../../gpu/index.js';
import { progressReporter, type ProgressCallback } from '../../progress/index.js';
import { expectedNormScale } from '../cpu/sae-encode.js';
import { rowSqError } from '../kernels/row-sq-error.js';
import { saeActivate } from '../kernels/sae-activate.js';
import { topkCut } from '../kernels/topk-cut.js';
import { ReconstructionAccumulator, type ReconstructionMetrics } from '../reconstruction.js';
import { activationOf, checkSaeShapes, normaliseRow, type SaeDictionary } from '../sae-dictionary.js';
import { readRows, withShape, type RowMatrix } from './row-source.js';

export interface GpuSaeEvalOptions {
  /** tokens per GPU batch (default 4096; fewer when [batch, dSae] would exceed a storage binding) */
  batchRows?: number;
  /** dataset scale for 'expected_average_only_in' (default: estimated from the first batch) */
  normScale?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/**
 * Reconstruction and density metrics of an SAE on held-out tokens (fixtures README §5), encoding on the GPU:
 * pre = x_n·W_enc + (b_enc − b_dec·W_enc if applyBDecToInput), acts (with per-token L0 and per-latent counts),
 * recon = acts·W_dec + b_dec and per-token squared error, in batches. The input normalisation and every sum
 * over tokens run on the CPU in float64; per-token errors are mapped back to the input's scale there.
 * @param x [tokens, dIn]
 */
export async function evaluateSaeGpu(gpu: Gpu, sae: SaeDictionary, x: RowMatrix, options: GpuSaeEvalOptions = {}): Promise<ReconstructionMetrics> {
  checkSaeShapes(sae);
  const kind = activationOf(sae);
  const { dIn: d, dSae: m } = sae;
  if (x.cols !== d) throw new Error(`inputs have ${x.cols} features, the SAE expects ${d}`);
  if (x.rows < 1) throw new Error('no tokens to evaluate');
  const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  const batch = Math.max(1, Math.min(x.rows, options.batchRows ?? 4096, Math.floor(limit / (4 * Math.max(m, d)))));
  // Subtracting b_dec from the input folds into the encoder bias: (x − b_dec)·W_enc + b_enc.
  const bias = Float64Array.from(sae.b_enc);
  if (sae.applyBDecToInput) {
    for (let j = 0; j < d; j++) for (let i = 0; i < m; i++) bias[i] -= sae.b_dec[j] * sae.W_enc[j * m + i];
  }
  const owned: GpuTensor[] = [];
  const keep = (t: GpuTensor) => (owned.push(t), t);
  try {
    const wEnc = keep(gpu.upload(sae.W_enc, [d, m], 'f32', 'sae.W_enc'));
    const bEnc = keep(gpu.upload(Float32Array.from(bias), [m], 'f32', 'sae.b_enc'));
    const wDec = keep(gpu.upload(sae.W_dec, [m, d], 'f32', 'sae.W_dec'));
    const bDec = keep(gpu.upload(sae.b_dec, [d], 'f32', 'sae.b_dec'));
    const threshold = keep(kind === 'jumprelu' ? gpu.upload(sae.threshold as Float32Array, [m], 'f32', 'sae.threshold') : gpu.empty([1], 'f32', 'sae.no-threshold'));
    const xIn = keep(gpu.empty([batch, d], 'f32', 'sae.x'));
    const acts = keep(gpu.empty([batch, m], 'f32', 'sae.acts'));
    const recon = keep(gpu.empty([batch, d], 'f32', 'sae.recon'));
    const sse = keep(gpu.empty([batch], 'f32', 'sae.sse'));
    const l0 = keep(gpu.empty([batch], 'u32', 'sae.l0'));
    const cut = keep(gpu.empty([kind === 'topk' ? batch : 1], 'u32', 'sae.cut'));
    const fires = keep(gpu.upload(new Uint32Array(m), [m], 'u32', 'sae.fires'));
    const acc = new ReconstructionAccumulator(d, m);
    const progress = progressReporter('evaluate', x.rows, options.onProgress);
    let scale = options.normScale;
    const row = new Float64Array(d);
    for (let start = 0; start < x.rows; start += batch) {
      throwIfAborted(options.signal, 'SAE evaluation');
      const rows = Math.min(batch, x.rows - start);
      const raw = await readRows(x, start, rows);
      scale ??= expectedNormScale(raw, rows, d);
      const xn = new Float32Array(rows * d);
      const back = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < d; j++) row[j] = raw[r * d + j];
        back[r] = normaliseRow(sae.normalizeActivations, row, scale).scale;
        for (let j = 0; j < d; j++) xn[r * d + j] = row[j];
      }
      gpu.write(xIn, xn);
      gpu.write(l0, new Uint32Array(rows));
      const xb = withShape(xIn, [rows, d]);
      const ab = withShape(acts, [rows, m]);
      const rb = withShape(recon, [rows, d]);
      const l0b = withShape(l0, [rows]);
      await matmul(gpu, xb, wEnc, { bias: bEnc, out: ab });
      if (kind === 'topk') await topkCut(gpu, ab, sae.k as number, withShape(cut, [rows]));
      await saeActivate(gpu, ab, kind, threshold, kind === 'topk' ? withShape(cut, [rows]) : cut, l0b, fires);
      await matmul(gpu, ab, wDec, { bias: bDec, out: rb });
      await rowSqError(gpu, xb, rb, withShape(sse, [rows]));
      const rowErr = new Float32Array(await gpu.readBytes(sse, rows * 4));
      const rowL0 = new Uint32Array(await gpu.readBytes(l0, rows * 4));
      // x − (recon·s + shift) = s·(x_n − recon): per-token errors scale by s².
      acc.addReducedError(raw, Float64Array.from(rowErr, (e, r) => e * back[r] * back[r]), rows);
      acc.addL0(rowL0);
      progress.update(start + rows);
    }
    acc.addFires(new Uint32Array(await gpu.readBytes(fires, m * 4)));
    progress.finish(x.rows);
    return acc.result();
  } finally {
    gpu.release(...owned);
  }
}
