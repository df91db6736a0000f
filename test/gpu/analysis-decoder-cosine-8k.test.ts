import { describe, expect, it } from 'vitest';
import { maxCosineGpu } from '../../src/analysis/gpu/decoder-cosine.js';
import { rowMatrix } from '../../src/analysis/gpu/row-source.js';
import { acquireGpu } from '../../src/gpu/index.js';
import { randomArray } from '../helpers/assert.js';
import { TOL } from '../tolerances.js';

/** float64 max cosine of row `i` of x against every row of y, and its first argmax. */
function maxCosRowRef(x: Float32Array, i: number, y: Float32Array, rowsY: number, d: number): { v: number; j: number } {
  let nx = 0;
  for (let k = 0; k < d; k++) nx += x[i * d + k] ** 2;
  let best = -Infinity;
  let arg = -1;
  for (let j = 0; j < rowsY; j++) {
    let dot = 0;
    let ny = 0;
    for (let k = 0; k < d; k++) {
      dot += x[i * d + k] * y[j * d + k];
      ny += y[j * d + k] ** 2;
    }
    const c = dot / Math.sqrt(nx * ny);
    if (c > best) {
      best = c;
      arg = j;
    }
  }
  return { v: best, j: arg };
}

describe('max cosine on the GPU at scale', () => {
  it('an 8192 × 8192 comparison at d = 256 on a device with default limits completes and matches float64 on sampled rows', async () => {
    const gpu = await acquireGpu({ defaultLimits: true });
    expect(gpu.limits.maxStorageBufferBindingSize).toBe(128 * 1024 * 1024);
    const n = 8192;
    const d = 256;
    const a = randomArray(n * d, 101);
    const b = randomArray(n * d, 202);
    // Plant exact matches so both directions have a clear best for some rows.
    for (let i = 0; i < 64; i++) b.set(a.subarray(i * 97 * d, (i * 97 + 1) * d), (i * 127) * d);
    const t0 = performance.now();
    const got = await maxCosineGpu(gpu, rowMatrix(a, n, d), rowMatrix(b, n, d));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`8192×8192×256 max cosine: ${seconds.toFixed(1)} s on ${gpu.info.architecture || gpu.info.vendor}, chunks ${got.chunkRows.join('×')}`);
    expect(got.chunkRows[0]).toBeLessThan(n);
    for (let s = 0; s < 48; s++) {
      const i = (s * 173 + 5) % n;
      const ra = maxCosRowRef(a, i, b, n, d);
      expect(Math.abs(got.maxCosA[i] - ra.v)).toBeLessThanOrEqual(TOL.cosine);
      expect(Math.abs(maxCosRowRef(a, i, b.subarray(got.argmaxA[i] * d, (got.argmaxA[i] + 1) * d), 1, d).v - ra.v)).toBeLessThanOrEqual(TOL.cosine);
      const rb = maxCosRowRef(b, i, a, n, d);
      expect(Math.abs(got.maxCosB[i] - rb.v)).toBeLessThanOrEqual(TOL.cosine);
    }
    for (let i = 0; i < 64; i++) {
      expect(got.argmaxA[i * 97]).toBe(i * 127);
      expect(got.maxCosA[i * 97]).toBeCloseTo(1, 5);
    }
    gpu.destroy();
    // SwiftShader: 2·8192²·256 = 34 GFLOP; ≈ 10–20 s on an idle 2-core machine, far more when it is shared.
  }, 900_000);
});
