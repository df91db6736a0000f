import { describe, it } from 'vitest';
import { attention, type AttentionVariant } from '../../src/model/kernels/attention.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { attentionRef } from '../ref/attention.js';
import { TOL } from '../tolerances.js';

// per-query: key tiles of 32, so lengths 1, 31, 33, 65 and the prime 127 (four tiles, the last partial).
// tiled: blocks of 16 queries and key tiles of 8, so 17, 37 and 70 end in partial blocks and tiles; windows 3 and 6
// are shorter than a tile or a block, 20 spans several; hd 256 (the most), 24 and odd ones (threads own d mod 8).
const CASES = [
  { seqs: 1, seq: 1, heads: 1, kvHeads: 1, hd: 4, window: 0, cap: 0 },
  { seqs: 2, seq: 31, heads: 4, kvHeads: 2, hd: 12, window: 0, cap: 50 },
  { seqs: 1, seq: 33, heads: 4, kvHeads: 1, hd: 7, window: 0, cap: 0 },
  { seqs: 1, seq: 65, heads: 2, kvHeads: 1, hd: 5, window: 6, cap: 50 },
  { seqs: 1, seq: 127, heads: 4, kvHeads: 2, hd: 12, window: 0, cap: 50 },
  { seqs: 1, seq: 127, heads: 2, kvHeads: 2, hd: 12, window: 70, cap: 0 },
  { seqs: 2, seq: 1, heads: 8, kvHeads: 4, hd: 256, window: 0, cap: 50 },
  { seqs: 1, seq: 17, heads: 4, kvHeads: 1, hd: 9, window: 0, cap: 0 },
  { seqs: 1, seq: 37, heads: 8, kvHeads: 4, hd: 256, window: 0, cap: 50 },
  { seqs: 3, seq: 37, heads: 2, kvHeads: 2, hd: 24, window: 3, cap: 0 },
  { seqs: 2, seq: 70, heads: 8, kvHeads: 4, hd: 24, window: 20, cap: 50 },
  { seqs: 1, seq: 70, heads: 2, kvHeads: 2, hd: 256, window: 6, cap: 0 },
  { seqs: 1, seq: 70, heads: 2, kvHeads: 1, hd: 256, window: 0, cap: 0 },
];
const VARIANTS: AttentionVariant[] = ['per-query', 'tiled'];

describe('model attention kernels (online softmax over key tiles)', () => {
  for (const variant of VARIANTS) {
    for (const c of CASES) {
      it(`${variant} matches the reference: ${JSON.stringify(c)}`, async () => {
        const gpu = await testGpu();
        // Gemma-2's query_pre_attn_scalar: 24 in the fixture model, head_dim in the released ones
        const scale = Math.max(24, c.hd) ** -0.5;
        // large scores so the soft-cap and the running max matter
        const q = randomArray(c.seqs * c.seq * c.heads * c.hd, 1 + c.seq).map((v) => v * 12);
        const k = randomArray(c.seqs * c.seq * c.kvHeads * c.hd, 2 + c.seq).map((v) => v * 12);
        const v = randomArray(c.seqs * c.seq * c.kvHeads * c.hd, 3 + c.seq);
        const tq = gpu.upload(q, [c.seqs, c.seq, c.heads, c.hd]);
        const tk = gpu.upload(k, [c.seqs, c.seq, c.kvHeads, c.hd]);
        const tv = gpu.upload(v, [c.seqs, c.seq, c.kvHeads, c.hd]);
        const to = gpu.empty(tq.shape);
        await attention(gpu, tq, tk, tv, to, { scale, cap: c.cap, window: c.window, variant });
        const ref = attentionRef(q, k, v, c.seqs, c.seq, c.heads, c.kvHeads, c.hd, scale, c.cap, c.window);
        expectRel(await gpu.read(to), ref, TOL.kernel * 10, `${variant} attention`);
        gpu.release(tq, tk, tv, to);
      });
    }
  }
});
