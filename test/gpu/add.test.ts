import { describe, expect, it } from 'vitest';
import { add } from '../../src/gpu/index.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { TOL } from '../tolerances.js';

function addRef(a: Float32Array, b: Float32Array, alpha: number): Float64Array {
  return Float64Array.from(a, (v, i) => v + alpha * b[i]);
}

describe('add kernel', () => {
  it('gets a WebGPU adapter in headless Chromium', async () => {
    const gpu = await testGpu();
    expect(gpu.info.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  for (const n of [1, 255, 257, 1009]) {
    it(`matches the reference when n = ${n} (workgroup 256)`, async () => {
      const gpu = await testGpu();
      const a = randomArray(n, 1);
      const b = randomArray(n, 2);
      const ta = gpu.upload(a, [n]);
      const tb = gpu.upload(b, [n]);
      const out = await add(gpu, ta, tb, -0.5);
      expectRel(await gpu.read(out), addRef(a, b, -0.5), TOL.kernel, `add n=${n}`);
      gpu.release(ta, tb, out);
    });
  }
});
