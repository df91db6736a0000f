import { describe, it } from 'vitest';
import { residual } from '../../src/sae/kernels/sae-residual.js';
import { addL1DecoderGrad, normaliseRows, projectRows, rowNorms } from '../../src/sae/kernels/sae-rows.js';
import { addRowVector, columnSum } from '../../src/sae/kernels/sae-rowvec.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { residualRef, rowsRef } from '../ref/sae-dense.js';
import { TOL } from '../tolerances.js';

describe('sae-rows, sae-residual and sae-rowvec kernels (workgroup 64)', () => {
  // d % 4 = 0 runs sae-rows' vec4 entry point
  for (const [m, d] of [[1, 1], [63, 17], [65, 64], [131, 7], [1, 4], [1000, 12]] as const) {
    it(`row norms, unit rows, tangent projection, L1 term, residual, broadcast and column sums (${m} × ${d})`, async () => {
      const gpu = await testGpu();
      const w = randomArray(m * d, m + d);
      const g = randomArray(m * d, 2);
      const ref = rowsRef(w, g, m, d);
      const norms = gpu.empty([m + 3]);
      const wT = gpu.upload(w, [m, d]);
      await rowNorms(gpu, wT, norms, 3);
      expectRel((await gpu.read(norms)).subarray(3), ref.norms, TOL.kernel, 'norms');
      const gT = gpu.upload(g, [m, d]);
      await projectRows(gpu, wT, gT);
      expectRel(await gpu.read(gT), ref.projected, TOL.kernel, 'projected');
      const fsum = randomArray(m, 5).map(Math.abs);
      const lat = gpu.upload(Float32Array.from({ length: m * 4 }, (_, i) => (i % 4 === 1 ? fsum[i >> 2] : 0)), [m, 4]);
      const norms0 = gpu.empty([m]);
      await rowNorms(gpu, wT, norms0, 0);
      const g2 = gpu.upload(g, [m, d]);
      await addL1DecoderGrad(gpu, wT, g2, norms0, lat, 0, 0.25);
      expectRel(await gpu.read(g2), Float64Array.from(g, (v, t) => v + (0.25 * fsum[Math.floor(t / d)] * w[t]) / ref.norms[Math.floor(t / d)]), TOL.kernel, 'L1 term');
      await normaliseRows(gpu, wT);
      expectRel(await gpu.read(wT), ref.normalised, TOL.kernel, 'normalised');

      const x = randomArray(m * d, 11);
      const xh = randomArray(m * d, 12);
      const extra = randomArray(m * d, 13);
      const scale = gpu.upload(new Float32Array([0, 0.5, 0, 0]), [4]);
      const gOut = gpu.empty([m, d]);
      const sse = gpu.empty([m]);
      await residual(gpu, gpu.upload(xh, [m, d]), gpu.upload(x, [m, d]), gOut, sse, 0.3, { extra: gpu.upload(extra, [m, d]), scale });
      const r = residualRef(xh, x, m, d, 0.15, extra);
      expectRel(await gpu.read(gOut), r.g, TOL.kernel, 'residual g');
      expectRel(await gpu.read(sse), r.sse, TOL.kernel, 'sse');

      const v = randomArray(d, 14);
      const y = gpu.empty([m, d]);
      const xT = gpu.upload(x, [m, d]);
      await addRowVector(gpu, xT, gpu.upload(v, [d]), y, -1);
      expectRel(await gpu.read(y), Float64Array.from(x, (a, t) => a - v[t % d]), TOL.kernel, 'x − v');
      const cs = gpu.upload(v, [d]);
      await columnSum(gpu, xT, cs, { alpha: 2, beta: 1 });
      const colRef = Float64Array.from(v, (a, c) => a + 2 * Array.from({ length: m }, (_, b) => x[b * d + c]).reduce((s, q) => s + q, 0));
      expectRel(await gpu.read(cs), colRef, TOL.kernel, 'column sums');
    });
  }
});
