import { describe, expect, it } from 'vitest';
import { TOPK_SENTINEL, topkMerge, topkSelect } from '../../src/sae/kernels/sae-topk.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { topkRef } from '../ref/sae-topk.js';

describe('sae-topk kernel (workgroup 64 rows)', () => {
  // n ≥ 4k takes the threshold of k chunk maxima (groups of 4 candidates), smaller n goes without; n not a
  // multiple of 4 leaves a part-filled last group; k > n pads with SENTINEL; k > 64 keeps the heap in the output
  for (const [rows, n, k] of [[1, 1, 1], [63, 37, 4], [65, 256, 8], [67, 13, 20], [3, 1031, 33], [2, 33, 1], [5, 33, 32], [66, 1000, 32], [4, 4097, 32], [2, 4097, 1], [3, 128, 32], [3, 300, 64], [2, 700, 65], [2, 90, 100]] as const) {
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

  // eligible latents: every 7th (sparse), or only the last 40 (whole chunks without one: no threshold)
  for (const [name, eligible] of [['every 7th latent', (i: number) => i % 7 === 3], ['only the last 40 latents', (i: number) => i >= 960]] as const) {
    const eligibleCount = Array.from({ length: 1000 }, (_, i) => i).filter(eligible).length;
    for (const k of [1, 32, 200]) {
      it(`honours the dead-latent mask (${name}, n 1000, k ${k}${k > eligibleCount ? ', more than eligible' : ''})`, async () => {
        const gpu = await testGpu();
        const rows = 9;
        const n = 1000;
        const vals = randomArray(rows * n, k + 17).map((v) => Math.round(v * 16) / 16);
        const since = Uint32Array.from({ length: n + 50 }, (_, i) => (eligible(i - 50) ? 700 : 699));
        const out = { val: gpu.empty([rows, k]), idx: gpu.empty([rows, k], 'u32'), offset: 0 };
        await topkSelect(gpu, gpu.upload(vals, [rows, n]), k, 50, out, { since: gpu.upload(since, [n + 50], 'u32'), window: 700 });
        const ref = topkRef(vals, rows, n, k, 50, (i) => since[i] >= 700);
        const idx = new Uint32Array(await gpu.readBytes(out.idx));
        const val = await gpu.read(out.val);
        for (let r = 0; r < rows; r++) {
          expect([...idx.subarray(r * k, (r + 1) * k)], `row ${r}`).toEqual(ref.idx[r]);
          expect([...val.subarray(r * k, (r + 1) * k)], `row ${r} values`).toEqual(ref.val[r].map((v) => Math.fround(v)));
        }
      });
    }
  }

  for (const [n, k] of [[33, 8], [200, 8], [1000, 32]] as const) {
    it(`merges candidate lists with empty slots and ties (n ${n}, k ${k})`, async () => {
      const gpu = await testGpu();
      const rows = 7;
      const vals = randomArray(rows * n, n + k).map((v) => Math.round(v * 8) / 8);
      // distinct latents per row in a scrambled order; every 5th slot empty
      const idx = Uint32Array.from({ length: rows * n }, (_, e) => (e % 5 === 2 ? TOPK_SENTINEL : ((e % n) * 37 + 11) % (n * 37)));
      const out = { val: gpu.empty([rows, k]), idx: gpu.empty([rows, k], 'u32'), offset: 0 };
      await topkMerge(gpu, gpu.upload(vals, [rows, n]), gpu.upload(idx, [rows, n], 'u32'), k, out);
      const got = new Uint32Array(await gpu.readBytes(out.idx));
      for (let r = 0; r < rows; r++) {
        const cands: [number, number][] = [];
        for (let c = 0; c < n; c++) if (idx[r * n + c] !== TOPK_SENTINEL) cands.push([vals[r * n + c], idx[r * n + c]]);
        cands.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
        const want = cands.slice(0, k).map((c) => c[1]);
        while (want.length < k) want.push(TOPK_SENTINEL);
        expect([...got.subarray(r * k, (r + 1) * k)], `row ${r}`).toEqual(want);
      }
    });
  }
});
