import { describe, it } from 'vitest';
import { attention } from '../../src/model/kernels/attention.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { attentionRef } from '../ref/attention.js';
import { TOL } from '../tolerances.js';

// key tile TK = 32: lengths 1, 31, 33, 65 and the prime 127 (four tiles, the last partial)
const CASES = [
  { seqs: 1, seq: 1, heads: 1, kvHeads: 1, hd: 4, window: 0, cap: 0 },
  { seqs: 2, seq: 31, heads: 4, kvHeads: 2, hd: 12, window: 0, cap: 50 },
  { seqs: 1, seq: 33, heads: 4, kvHeads: 1, hd: 7, window: 0, cap: 0 },
  { seqs: 1, seq: 65, heads: 2, kvHeads: 1, hd: 5, window: 6, cap: 50 },
  { seqs: 1, seq: 127, heads: 4, kvHeads: 2, hd: 12, window: 0, cap: 50 },
  { seqs: 1, seq: 127, heads: 2, kvHeads: 2, hd: 12, window: 70, cap: 0 },
];

describe('model attention kernel (key tiles of 32, online softmax)', () => {
  for (const c of CASES) {
    it(`matches the reference: ${JSON.stringify(c)}`, async () => {
      const gpu = await testGpu();
      const scale = 24 ** -0.5;
      // large scores so the soft-cap and the running max matter
      const q = randomArray(c.seqs * c.seq * c.heads * c.hd, 1 + c.seq).map((v) => v * 12);
      const k = randomArray(c.seqs * c.seq * c.kvHeads * c.hd, 2 + c.seq).map((v) => v * 12);
      const v = randomArray(c.seqs * c.seq * c.kvHeads * c.hd, 3 + c.seq);
      const tq = gpu.upload(q, [c.seqs, c.seq, c.heads, c.hd]);
      const tk = gpu.upload(k, [c.seqs, c.seq, c.kvHeads, c.hd]);
      const tv = gpu.upload(v, [c.seqs, c.seq, c.kvHeads, c.hd]);
      const to = gpu.empty(tq.shape);
      await attention(gpu, tq, tk, tv, to, { scale, cap: c.cap, window: c.window });
      const ref = attentionRef(q, k, v, c.seqs, c.seq, c.heads, c.kvHeads, c.hd, scale, c.cap, c.window);
      expectRel(await gpu.read(to), ref, TOL.kernel * 10, 'attention');
      gpu.release(tq, tk, tv, to);
    });
  }
});
