import type { Gpu, GpuTensor } from '../gpu/index.js';
import { maskedMoments } from './kernels/masked-moments.js';
import { rowNorms } from './kernels/row-norms.js';
import type { MomentStats } from './stats.js';
import { TOKEN_KIND } from './token-kind.js';

/**
 * Moments of one forward batch, reduced on the GPU (only [groups, hidden] and [groups, rows] come back).
 * @param x [groups, batch, seq, hidden] f32 — a delta tensor (groups = adapters) or a base stream (groups = 1)
 * @param kinds [batch·seq] TOKEN_KIND per position
 * @returns one MomentStats per group, ready for mergeMoments
 */
export async function batchMoments(gpu: Gpu, x: GpuTensor, kinds: Uint8Array): Promise<MomentStats[]> {
  if (x.shape.length !== 4) throw new Error(`batchMoments: x must be [groups, batch, seq, hidden], got [${x.shape.join(', ')}]`);
  const [groups, batch, seq, hidden] = x.shape;
  const rows = batch * seq;
  if (kinds.length !== rows) throw new Error(`batchMoments: ${kinds.length} position kinds for ${rows} rows`);
  const mask = Uint32Array.from(kinds, (k) => (k === TOKEN_KIND.text ? 1 : 0));
  const maskT = gpu.upload(mask, [rows], 'u32', 'batch-moments.mask');
  const x3: GpuTensor = { ...x, shape: [groups, rows, hidden] };
  const { mean, m2 } = await maskedMoments(gpu, x3, maskT);
  const norms = await rowNorms(gpu, x3);
  try {
    const [meanH, m2H, normsH] = [await gpu.read(mean), await gpu.read(m2), await gpu.read(norms)];
    let count = 0;
    let countWithBos = 0;
    for (const k of kinds) {
      if (k === TOKEN_KIND.text) count++;
      if (k !== TOKEN_KIND.pad) countWithBos++;
    }
    const out: MomentStats[] = [];
    for (let g = 0; g < groups; g++) {
      let sumNorm = 0;
      let sumNormWithBos = 0;
      for (let r = 0; r < rows; r++) {
        const v = normsH[g * rows + r];
        if (kinds[r] === TOKEN_KIND.text) sumNorm += v;
        if (kinds[r] !== TOKEN_KIND.pad) sumNormWithBos += v;
      }
      out.push({
        count,
        sumNorm,
        countWithBos,
        sumNormWithBos,
        mean: Array.from(meanH.subarray(g * hidden, (g + 1) * hidden)),
        m2: Array.from(m2H.subarray(g * hidden, (g + 1) * hidden)),
      });
    }
    return out;
  } finally {
    gpu.release(maskT, mean, m2, norms);
  }
}
