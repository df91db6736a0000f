import { describe, it } from 'vitest';
import { loraAdd, packLoraMeta } from '../../src/model/kernels/lora-add.js';
import { loraDown } from '../../src/model/kernels/lora-down.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { loraDownRef, loraRef, type LoraRefAdapter } from '../ref/lora-add.js';
import { TOL } from '../tolerances.js';

/** Adapters of ranks `ranks` on streams 1.. (a 0 rank leaves that stream without LoRA, as a missing module does). */
function adapters(ranks: readonly number[], K: number, N: number): LoraRefAdapter[] {
  const out: LoraRefAdapter[] = [];
  ranks.forEach((r, i) => {
    if (r === 0) return;
    out.push({ stream: i + 1, r, a: randomArray(r * K, 10 + i), b: randomArray(N * r, 20 + i), scale: 0.5 + i, normSlot: 2 * i + 1 });
  });
  return out;
}

describe('model lora-down and lora-add kernels: every adapter of a projection in two dispatches', () => {
  // T not a multiple of lora-down's 4 tokens per thread, N not a multiple of the row threads, mixed ranks
  for (const [T, K, N, ranks, wg] of [
    [1, 1, 1, [1], 64],
    [5, 9, 63, [2, 3], 64],
    [7, 33, 65, [4, 0, 1, 8], 64],
    [3, 5, 131, [1, 2, 3, 4], 4],
    [6, 17, 3, [3], 4],
  ] as const) {
    it(`adds ${ranks.length} adapters' terms and their row norms (T ${T}, K ${K}, N ${N}, ranks ${ranks.join('/')}, ${wg} threads per row)`, async () => {
      const gpu = await testGpu();
      const streams = ranks.length + 1;
      const ads = adapters(ranks, K, N);
      const R = ads.reduce((s, a) => s + a.r, 0);
      const x = randomArray(streams * T * K, T + K);
      const y = randomArray(streams * T * N, N);
      const normsLength = (2 * ranks.length + 1) * T;
      const stream = Uint32Array.from(ads.flatMap((a) => Array<number>(a.r).fill(a.stream)));
      const aStack = Float32Array.from(ads.flatMap((a) => Array.from(a.a)));
      const bStack = Float32Array.from(ads.flatMap((a) => Array.from(a.b)));
      let col0 = 0;
      let bOff = 0;
      const meta = ads.map((a) => {
        const e = { stream: a.stream, col0, r: a.r, bOff, normSlot: a.normSlot, scale: a.scale };
        col0 += a.r;
        bOff += N * a.r;
        return e;
      });
      const tx = gpu.upload(x, [streams * T, K]);
      const ty = gpu.upload(y, [streams * T, N]);
      const tu = gpu.empty([T, R]);
      const tn = gpu.upload(new Float32Array(normsLength), [normsLength]);
      const packed = packLoraMeta(meta);
      const [ta, tb, ts, tm] = [gpu.upload(aStack, [R, K]), gpu.upload(bStack, [bOff]), gpu.upload(stream, [R], 'u32'), gpu.upload(packed, [packed.length], 'u32')];
      await loraDown(gpu, tx, ta, ts, tu);
      expectRel(await gpu.read(tu), loraDownRef(x, aStack, stream, T, K), TOL.kernel, 'u');
      await loraAdd(gpu, tu, tb, tm, ads.length, ty, tn, wg);
      const ref = loraRef(x, y, ads, T, K, N, normsLength);
      expectRel(await gpu.read(ty), ref.y, TOL.kernel, 'y');
      expectRel(await gpu.read(tn), ref.norms, TOL.kernel, 'norms');
      gpu.release(tx, ty, tu, tn, ta, tb, ts, tm);
    });
  }
});
