import type { Gemma2Config, SafetensorsCheckpoint } from '../formats/index.js';
import type { Gpu, GpuTensor } from '../gpu/index.js';
import { projMatmul, type ProjWeight } from './kernels/proj-matmul.js';
import { EMBED_TOKENS, LM_HEAD } from './weight-names.js';
import { WeightUploader } from './weights.js';

/**
 * The LM head (tied: the embedding) in row chunks that each fit one storage binding: 256000 × 3584 f32
 * is 3.7 GB, far over the usual 128 MiB – 2 GiB binding limit. Each chunk goes through the staging ring
 * as stored and is widened on the GPU (weights.ts), so the host never holds more than a ring's worth.
 */
export class LmHead {
  private constructor(
    private readonly chunks: { row0: number; w: ProjWeight }[],
    private readonly vocab: number,
    private readonly cap: number,
  ) {}

  static async load(gpu: Gpu, model: SafetensorsCheckpoint, config: Gemma2Config): Promise<LmHead> {
    const name = config.tieWordEmbeddings ? EMBED_TOKENS : LM_HEAD;
    const h = config.hiddenSize;
    const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    const rowsPerChunk = Math.max(1, Math.floor(limit / 2 / (h * 4)));
    const chunks: { row0: number; w: ProjWeight }[] = [];
    const uploader = new WeightUploader(gpu, model, config);
    try {
      for (let row0 = 0; row0 < config.vocabSize; row0 += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, config.vocabSize - row0);
        chunks.push({ row0, w: await uploader.upload(name, row0, rows, h, 'f32') });
      }
      await uploader.check();
    } catch (e) {
      gpu.release(...chunks.map((c) => c.w.data));
      throw e;
    } finally {
      uploader.release();
    }
    return new LmHead(chunks, config.vocabSize, config.finalLogitSoftcapping ?? 0);
  }

  /**
   * logits[rowOffset + m, :] = cap·tanh((x[xOffset + m] · Wᵀ) / cap) for m < rows.
   * @param x normed hidden states, f32  @param logits [.., vocab] f32
   */
  async project(gpu: Gpu, x: GpuTensor, xOffset: number, rows: number, logits: GpuTensor, rowOffset: number): Promise<void> {
    for (const c of this.chunks) {
      await projMatmul(gpu, x, c.w, logits, { m: rows, xOffset, yOffset: rowOffset * this.vocab + c.row0, yStride: this.vocab, cap: this.cap });
    }
  }

  release(gpu: Gpu): void {
    gpu.release(...this.chunks.map((c) => c.w.data));
  }
}
