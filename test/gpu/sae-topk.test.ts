import { describe, expect, it } from 'vitest';
import { topkMerge, topkSelect } from '../../src/sae/kernels/sae-topk.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { topkRef } from '../ref/sae-topk.js';

describe('sae-topk kernel (workgroup 64 rows)', () => {
  for (const [rows, n, k] of [[1, 1, 1], [63, 37, 4], [65, 256, 8], [67, 13, 20], [3, 1031, 33]] as const) {
    it(`selects the reference's top ${k} of ${n} in ${rows} rows (ties and short rows included)`, async () => {
      const gpu = await testGpu();
      // quantised values force exact ties, broken by the smaller latent
      const vals = randomArray(rows * n, rows + n).map((v) => Math.round(v * 8) / 8);
      const pre = gpu.upload(vals, [rows, n]);
      const out = { val: gpu.empty([rows, k + 2]), idx: gpu.empty([rows, k + 2], 'u32'), offset: 1 };
      await topkSelect(gpu, pre, k, 100, out);
      const idx = new Uint32Array(await gpu.readBytes(out.idx));
      const val = await gpu.read(out.val);
      const ref = topkRef(vals, rows, n, k, 100);
      for (let r = 0; r < rows; r++) {
        expect([...idx.subarray(r * (k + 2) + 1, r * (k + 2) + 1 + k)], `row ${r}`).toEqual(ref.idx[r]);
        expect([...val.subarray(r * (k + 2) + 1, r * (k + 2) + 1 + k)], `row ${r} values`).toEqual(ref.val[r].map((v) => Math.fround(v)));
      }
      gpu.release(pre, out.val, out.idx);
    });
  }

  it('merges per-shard candidates and honours a dead-latent mask', async () => {
    const gpu = await testGpu();
    const rows = 5;
    const n = 40;
    const k = 3;
    const vals = randomArray(rows * n, 9);
    const since = Uint32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1000 : 10));
    const full = { val: gpu.empty([rows, 2 * k]), idx: gpu.empty([rows, 2 * k], 'u32'), offset: 0 };
    // two shards of 20 latents, masked to the dead ones (since ≥ 500), then merged
    const half = (s: number): Float32Array => {
      const h = new Float32Array(rows * 20);
      for (let r = 0; r < rows; r++) h.set(vals.subarray(r * n + s * 20, r * n + s * 20 + 20), r * 20);
      return h;
    };
    const sinceT = gpu.upload(since, [n], 'u32');
    for (const s of [0, 1]) {
      const t = gpu.upload(half(s), [rows, 20]);
      await topkSelect(gpu, t, k, s * 20, { ...full, offset: s * k }, { since: sinceT, window: 500 });
    }
    const out = { val: gpu.empty([rows, k]), idx: gpu.empty([rows, k], 'u32'), offset: 0 };
    await topkMerge(gpu, full.val, full.idx, k, out);
    const ref = topkRef(vals, rows, n, k, 0, (i) => since[i] >= 500);
    const idx = new Uint32Array(await gpu.readBytes(out.idx));
    for (let r = 0; r < rows; r++) expect([...idx.subarray(r * k, (r + 1) * k)], `row ${r}`).toEqual(ref.idx[r]);
  });
});
