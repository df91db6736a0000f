import { expectShape, packParams, type Gpu, type GpuTensor } from '../../gpu/index.js';
import source from './rope.wgsl?raw';

export const ropeKernel = { name: 'model-rope', source };
const WG = 64;

/**
 * cos/sin table for positions 0..seq−1, built in float64 and rounded to f32 once.
 * inv_freq[i] = theta^(−2i/hd), angle = p·inv_freq[i].  @returns [seq, hd/2, 2] (cos, sin)
 */
export function ropeTable(seq: number, headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(seq * half * 2);
  for (let p = 0; p < seq; p++) {
    for (let i = 0; i < half; i++) {
      // gemma_pytorch computes inv_freq in f32 before multiplying by p
      const invFreq = Math.fround(1 / Math.pow(theta, (2 * i) / headDim));
      const ang = Math.fround(p * invFreq);
      out[(p * half + i) * 2] = Math.cos(ang);
      out[(p * half + i) * 2 + 1] = Math.sin(ang);
    }
  }
  return out;
}

/**
 * Rotates x in place.  @param x [rows, heads, hd] f32, row r at position r mod seq  @param table ropeTable(seq, hd, θ) on the GPU
 */
export async function rope(gpu: Gpu, x: GpuTensor, table: GpuTensor, seq: number): Promise<void> {
  const [rows, heads, hd] = x.shape;
  if (x.shape.length !== 3 || hd % 2 !== 0) throw new Error(`rope: x must be [rows, heads, even hd], got [${x.shape.join(', ')}]`);
  if (rows % seq !== 0) throw new Error(`rope: ${rows} rows are not whole sequences of ${seq}`);
  expectShape('rope: table', table, [seq, hd / 2, 2]);
  const n = rows * heads * (hd / 2);
  await gpu.run(ropeKernel, {
    params: packParams([{ u32: rows }, { u32: heads }, { u32: hd / 2 }, { u32: seq }]),
    buffers: [table, x],
    workgroups: Math.ceil(n / WG),
    overrides: { WG },
  });
}
