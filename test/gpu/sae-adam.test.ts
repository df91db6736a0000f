import { describe, it } from 'vitest';
import { adamUpdate } from '../../src/sae/kernels/sae-adam.js';
import { expInto } from '../../src/sae/kernels/sae-exp.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { adamRef } from '../ref/sae-dense.js';
import { TOL } from '../tolerances.js';

describe('sae-adam kernel (torch.optim.Adam) and sae-exp', () => {
  // n % 4 = 0 runs the vec4 entry point
  for (const n of [1, 63, 65, 1009, 4, 1000, 4096]) {
    it(`update t = 1 and t = 7 match the float64 formula, zero gradients included (n = ${n}${n % 4 === 0 ? ', vec4' : ''})`, async () => {
      const gpu = await testGpu();
      const p = randomArray(n, n);
      const g = randomArray(n, n + 1).map((v, i) => (i % 5 === 0 ? 0 : v * 1e-3));
      const m = randomArray(n, n + 2).map((v) => v * 1e-3);
      const v = randomArray(n, n + 3).map((x) => x * x * 1e-6);
      for (const t of [1, 7]) {
        const [pT, gT, mT, vT] = [gpu.upload(p, [n]), gpu.upload(g, [n]), gpu.upload(m, [n]), gpu.upload(v, [n])];
        await adamUpdate(gpu, pT, gT, mT, vT, t, { lr: 0.002, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        const ref = adamRef(p, g, m, v, t, 0.002, 0.9, 0.999, 1e-8);
        expectRel(await gpu.read(pT), ref.p, TOL.kernel, `p t=${t}`);
        expectRel(await gpu.read(mT), ref.m, TOL.kernel, `m t=${t}`);
        expectRel(await gpu.read(vT), ref.v, TOL.kernel, `v t=${t}`);
      }
      const x = randomArray(n, 9).map((a) => a * 3);
      const y = gpu.empty([n]);
      await expInto(gpu, gpu.upload(x, [n]), y);
      expectRel(await gpu.read(y), Float64Array.from(x, Math.exp), TOL.kernel, 'exp');
    });
  }
});
