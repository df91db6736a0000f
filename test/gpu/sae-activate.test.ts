import { describe, expect, it } from 'vitest';
import { saeActivate } from '../../src/analysis/kernels/sae-activate.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { saeActivateRef } from '../ref/sae-activate.js';

/** The order-preserving key of an f32, written independently of the kernel from IEEE-754. */
function keyOf(v: number): number {
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

describe('sae-activate kernel', () => {
  for (const mode of ['relu', 'jumprelu', 'topk'] as const) {
    for (const [rows, m] of [[1, 1], [3, 255], [7, 257], [5, 131]]) {
      it(`${mode}: acts, per-row L0 and per-latent firings match the reference for [${rows}, ${m}] (workgroup 256)`, async () => {
        const gpu = await testGpu();
        const pre = randomArray(rows * m, rows * 1000 + m);
        const threshold = Float32Array.from(randomArray(m, 7), (v) => Math.abs(v) * 0.5);
        const cutValue = Float32Array.from({ length: rows }, (_, r) => pre[r * m + (r % m)]);
        const tPre = gpu.upload(pre, [rows, m]);
        const tTh = gpu.upload(threshold, [m]);
        const tCut = gpu.upload(Uint32Array.from(cutValue, keyOf), [rows], 'u32');
        const tL0 = gpu.upload(new Uint32Array(rows), [rows], 'u32');
        const tFires = gpu.upload(new Uint32Array(m), [m], 'u32');
        await saeActivate(gpu, tPre, mode, tTh, tCut, tL0, tFires);
        const ref = saeActivateRef(pre, rows, m, mode, threshold, cutValue);
        expect(Array.from(await gpu.read(tPre))).toEqual(Array.from(ref.acts));
        expect(Array.from(new Uint32Array(await gpu.readBytes(tL0)))).toEqual(Array.from(ref.l0));
        expect(Array.from(new Uint32Array(await gpu.readBytes(tFires)))).toEqual(Array.from(ref.fires));
        gpu.release(tPre, tTh, tCut, tL0, tFires);
      });
    }
  }
});
