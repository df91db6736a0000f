import { describe, it } from 'vitest';
import { geglu } from '../../src/model/kernels/geglu.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { gegluRef } from '../ref/geglu.js';
import { TOL } from '../tolerances.js';

describe('model geglu kernel (workgroup 256)', () => {
  for (const n of [1, 255, 257, 1009]) {
    it(`gelu_tanh(gate)·up for n = ${n}, gate inputs up to ±60`, async () => {
      const gpu = await testGpu();
      const g = randomArray(n, n).map((v) => v * 60);
      const u = randomArray(n, n + 1);
      const tg = gpu.upload(g, [n]);
      const tu = gpu.upload(u, [n]);
      await geglu(gpu, tg, tu);
      expectRel(await gpu.read(tg), gegluRef(g, u), TOL.kernel, 'geglu');
      gpu.release(tg, tu);
    });
  }
});
