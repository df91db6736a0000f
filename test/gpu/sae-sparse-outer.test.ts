import { describe, it } from 'vitest';
import { buildCsr } from '../../src/sae/kernels/sae-csr.js';
import { sparseLatentSums } from '../../src/sae/kernels/sae-sparse-latent.js';
import { sparseWeightGrads } from '../../src/sae/kernels/sae-sparse-outer.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { sparseLatentRef, sparseOuterRef } from '../ref/sae-sparse.js';
import { TOL } from '../tolerances.js';
import { randomCode } from '../helpers/sae-fixtures.js';

describe('sae-sparse-outer (both weight gradients) and sae-sparse-latent kernels (through the CSR lists)', () => {
  // d % 4 = 0 runs the vec4 entry point (d / 4 odd: a half-used last group), other d the scalar one
  for (const [rows, kk, m, d] of [[1, 1, 1, 1], [11, 4, 63, 65], [23, 3, 67, 17], [9, 5, 13, 6], [5, 2, 7, 4], [17, 6, 50, 12], [64, 32, 1000, 128]] as const) {
    it(`weight gradients and per-latent sums match the reference (rows ${rows}, k ${kk}, m ${m}, d ${d}, ${d % 4 === 0 ? 'vec4' : 'scalar'})`, async () => {
      const gpu = await testGpu();
      const { val, idx } = randomCode(rows, kk, m, rows + kk + m);
      const g = randomArray(rows * kk, 3);
      const y = randomArray(rows * d, 4);
      const csr = { offsets: gpu.empty([m + 1], 'u32'), entries: gpu.empty([rows * kk], 'u32') };
      const valT = gpu.upload(val, [rows, kk]);
      const gT = gpu.upload(g, [rows, kk]);
      await buildCsr(gpu, gpu.upload(idx, [rows, kk], 'u32'), m, csr);
      const yT = gpu.upload(y, [rows, d]);
      const x = randomArray(rows * d, 5);
      const xT = gpu.upload(x, [rows, d]);
      const decRef = sparseOuterRef(val, idx, kk, y, m, d, true);
      const encRef = sparseOuterRef(g, idx, kk, x, m, d, false);
      const dDec = gpu.empty([m, d]);
      const dEnc = gpu.empty([m, d]);
      await sparseWeightGrads(gpu, csr, { val: valT, g: gT, gy: yT, x: xT, dDec, dEnc }, 0);
      expectRel(await gpu.read(dDec), decRef, TOL.kernel, 'decoder gradient');
      expectRel(await gpu.read(dEnc), encRef, TOL.kernel, 'encoder gradient');
      // beta 1 accumulates (AuxK): a second pass doubles both
      await sparseWeightGrads(gpu, csr, { val: valT, g: gT, gy: yT, x: xT, dDec, dEnc }, 0, 1);
      expectRel(await gpu.read(dDec), decRef.map((v) => 2 * v), TOL.kernel, 'decoder gradient (accumulated)');
      expectRel(await gpu.read(dEnc), encRef.map((v) => 2 * v), TOL.kernel, 'encoder gradient (accumulated)');
      const dbias = gpu.upload(randomArray(m, 8), [m]);
      const before = await gpu.read(dbias);
      const lat = gpu.empty([m, 4]);
      await sparseLatentSums(gpu, csr, valT, gT, dbias, lat, { stats: true, beta: 1 });
      const ref = sparseLatentRef(val, g, idx, m);
      expectRel(await gpu.read(dbias), Float64Array.from(ref.dbias, (v, i) => v + before[i]), TOL.kernel, 'dbias (accumulated)');
      const stats = await gpu.read(lat);
      expectRel(stats.filter((_, i) => i % 4 === 0), ref.fires, 0, 'fires');
      expectRel(stats.filter((_, i) => i % 4 === 1), ref.fsum, TOL.kernel, 'fsum');
    });
  }
});
