/**
 * Our two attention variants on one device in one run: per-query (one thread per query, the SwiftShader default)
 * and tiled (K/V tiles in workgroup memory shared by 16 queries, the GPU default), at Gemma-2-2B's head shape
 * (8 heads, 4 kv heads, head_dim 256, soft-cap 50). Each is first checked against a float64 softmax on the last
 * query of every head. Prints times and the ratio per-query/tiled with the adapter's name. Not a test.
 */
import { acquireGpu } from '../src/gpu/index.js';
import { attention, type AttentionVariant } from '../src/model/kernels/attention.js';

type Log = (line: string) => void;

const [SEQS, HEADS, KV_HEADS, HD, CAP] = [2, 8, 4, 256, 50];
const SEQ_LENGTHS = [64, 256];
const VARIANTS: AttentionVariant[] = ['per-query', 'tiled'];
const RUNS = 3;

/** float64 attention output of query seq−1 of (sequence n, head h) */
function lastQueryRef(q: Float32Array, k: Float32Array, v: Float32Array, seq: number, n: number, h: number, scale: number): Float64Array {
  const g = Math.floor(h / (HEADS / KV_HEADS));
  const qRow = ((n * seq + seq - 1) * HEADS + h) * HD;
  const s = Array.from({ length: seq }, (_, j) => {
    let dot = 0;
    for (let d = 0; d < HD; d++) dot += q[qRow + d] * k[((n * seq + j) * KV_HEADS + g) * HD + d];
    return CAP * Math.tanh((dot * scale) / CAP);
  });
  const m = Math.max(...s);
  const e = s.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  const o = new Float64Array(HD);
  for (let j = 0; j < seq; j++) for (let d = 0; d < HD; d++) o[d] += (e[j] / z) * v[((n * seq + j) * KV_HEADS + g) * HD + d];
  return o;
}

export async function run(log: Log): Promise<void> {
  const gpu = await acquireGpu();
  const adapter = `${gpu.info.vendor} ${gpu.info.architecture}`.trim();
  const scale = HD ** -0.5;
  for (const seq of SEQ_LENGTHS) {
    let s = 11;
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
    const [q, k, v] = [rand(SEQS * seq * HEADS * HD), rand(SEQS * seq * KV_HEADS * HD), rand(SEQS * seq * KV_HEADS * HD)];
    const tq = gpu.upload(q, [SEQS, seq, HEADS, HD]);
    const tk = gpu.upload(k, [SEQS, seq, KV_HEADS, HD]);
    const tv = gpu.upload(v, [SEQS, seq, KV_HEADS, HD]);
    const to = gpu.empty(tq.shape);
    const ms: Partial<Record<AttentionVariant, number>> = {};
    for (const variant of VARIANTS) {
      const once = async (): Promise<Float32Array> => {
        await attention(gpu, tq, tk, tv, to, { scale, cap: CAP, window: 0, variant });
        return gpu.read(to);
      };
      const got = await once();
      let maxDiff = 0;
      for (let n = 0; n < SEQS; n++) {
        for (let h = 0; h < HEADS; h++) {
          const ref = lastQueryRef(q, k, v, seq, n, h, scale);
          const row = ((n * seq + seq - 1) * HEADS + h) * HD;
          for (let d = 0; d < HD; d++) maxDiff = Math.max(maxDiff, Math.abs(got[row + d] - ref[d]));
        }
      }
      if (maxDiff > 1e-4) throw new Error(`attention ${variant}, seq ${seq}: last-query max abs error ${maxDiff.toExponential(1)} exceeds 1e-4`);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await once();
        times.push(performance.now() - t0);
      }
      ms[variant] = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      log(`${SEQS}×${seq} tokens, ${HEADS}/${KV_HEADS} heads, hd ${HD}: ${variant} ${ms[variant]!.toFixed(1)} ms (last-query max abs error ${maxDiff.toExponential(1)})`);
    }
    log(`${SEQS}×${seq}: per-query/tiled ${(ms['per-query']! / ms.tiled!).toFixed(2)} on ${adapter}`);
    gpu.release(tq, tk, tv, to);
  }
  gpu.destroy();
}
