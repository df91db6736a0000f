import { describe, expect, it } from 'vitest';
import { stepStats } from '../../src/sae/kernels/sae-stats.js';
import { randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';

// float64 reference written from the kernel's formula (fixtures README §7 / §7b losses; dead window by tokens)
function statsRef(sse: Float32Array, auxSse: Float32Array, lat: Float32Array, norms: Float32Array, since: Uint32Array, arch: 0 | 1 | 2, lam: number, auxCoef: number, window: number, kAux: number, auxScale: number) {
  const B = sse.length;
  const m = norms.length;
  let fires = 0;
  let l1 = 0;
  let pairs = 0;
  for (let i = 0; i < m; i++) {
    fires += lat[i * 4];
    l1 += lat[i * 4 + 1] * norms[i];
    pairs += lat[i * 4 + 2];
  }
  const mse = sse.reduce((a, b) => a + b, 0) / B;
  const aux = arch === 2 && kAux > 0 ? (auxScale * auxSse.reduce((a, b) => a + b, 0)) / B : 0;
  const loss = arch === 0 ? mse + (lam * l1) / B : arch === 1 ? mse + (lam * fires) / B : mse + auxCoef * aux;
  const deadBefore = [...since].filter((s) => s >= window).length;
  const after = Uint32Array.from(since, (s, i) => (lat[i * 4] > 0 ? 0 : Math.min(s + B, 0x80000000)));
  const deadAfter = [...after].filter((s) => s >= window).length;
  return { record: [loss, mse, l1 / B, fires / B, aux, pairs, deadBefore], after, deadAfter, scale: kAux > 0 ? Math.min(deadAfter / kAux, 1) : 0 };
}

describe('sae-stats kernel (one workgroup of 256, or one invocation)', () => {
  for (const [arch, B, m, family] of [[0, 1, 1, 'gpu'], [1, 63, 255, 'gpu'], [2, 65, 257, 'gpu'], [2, 7, 1031, 'gpu'], [0, 1, 1, 'cpu'], [1, 63, 255, 'cpu'], [2, 65, 257, 'cpu'], [2, 7, 1031, 'cpu']] as const) {
    it(`arch ${arch}: loss terms, window pairs and the dead-latent window (B ${B}, m ${m}, ${family === 'gpu' ? 'tree sums' : 'serial'})`, async () => {
      const gpu = await testGpu();
      const sse = randomArray(B, 1).map(Math.abs);
      const auxSse = randomArray(B, 2).map(Math.abs);
      const lat = Float32Array.from(randomArray(m * 4, 3), (v, i) => (i % 4 === 0 ? (v > 0.3 ? Math.round(v * 5) : 0) : i % 4 === 2 ? Math.round(Math.abs(v) * 3) : i % 4 === 3 ? 0 : Math.abs(v)));
      const norms = randomArray(m, 4).map((v) => 1 + 0.5 * v);
      const since = Uint32Array.from(randomArray(m, 5), (v) => Math.floor(Math.abs(v) * 300));
      const window = 150;
      const kAux = 16;
      const dead = gpu.upload(new Float32Array([0, 0.75, 0, 0]), [4]);
      const sinceT = gpu.upload(since, [m], 'u32');
      const out = gpu.empty([3, 8]);
      await stepStats(gpu, {
        sse: gpu.upload(sse, [B]), auxSse: gpu.upload(auxSse, [B]), latStats: gpu.upload(lat, [m, 4]), norms: gpu.upload(norms, [m]), since: sinceT, dead, out,
      }, { arch: (['relu', 'jumprelu', 'topk'] as const)[arch], slot: 2, lam: 0.4, auxCoef: 0.5, kAux, window, updateDead: true }, family);
      const ref = statsRef(sse, auxSse, lat, norms, since, arch, 0.4, 0.5, window, kAux, 0.75);
      const rec = (await gpu.read(out)).subarray(16, 23);
      ref.record.forEach((v, i) => expect(Math.abs(rec[i] - v), `field ${i}: ${rec[i]} vs ${v}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
      expect([...new Uint32Array(await gpu.readBytes(sinceT))]).toEqual([...ref.after]);
      const d = await gpu.read(dead);
      expect(d[0]).toBe(ref.deadAfter);
      expect(d[1]).toBeCloseTo(ref.scale, 6);
    });
  }
});
