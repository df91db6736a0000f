import { describe, expect, it } from 'vitest';
import { activate } from '../../src/sae/kernels/sae-dense-act.js';
import { latentGrad } from '../../src/sae/kernels/sae-latent-grad.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { activateRef, latentGradRef } from '../ref/sae-dense.js';
import { TOL } from '../tolerances.js';

describe('sae-dense-act and sae-latent-grad kernels (workgroup 64)', () => {
  for (const arch of ['relu', 'jumprelu'] as const) {
    for (const [rows, m] of [[1, 1], [5, 63], [9, 65], [3, 131]] as const) {
      it(`${arch}: f, g_pre, b_enc/log_theta gradients and latent statistics (rows ${rows}, m ${m})`, async () => {
        const gpu = await testGpu();
        const pre = randomArray(rows * m, rows * 7 + m);
        const gf = randomArray(rows * m, 2);
        // thresholds (JumpReLU) or decoder norms (ReLU); eps wide enough that many pairs fall in the window
        const coef = randomArray(m, 3).map((v) => 0.3 + 0.2 * v);
        const eps = 0.4;
        const lam = 0.7;
        const preT = gpu.upload(pre, [rows, m]);
        const coefT = gpu.upload(coef, [m]);
        const f = gpu.empty([rows, m]);
        await activate(gpu, arch, preT, f, 0, coefT);
        expectRel(await gpu.read(f), activateRef(pre, rows, m, arch, coef), 0, 'f');
        const out = { gpre: gpu.empty([rows, m]), dbias: gpu.empty([m]), dlogTheta: gpu.empty([m]), latStats: gpu.empty([m, 4]) };
        await latentGrad(gpu, arch, { pre: preT, gf: gpu.upload(gf, [rows, m]), coef: coefT, ...out }, 0, lam, eps);
        const ref = latentGradRef(pre, gf, rows, m, arch, coef, lam, eps);
        expectRel(await gpu.read(out.gpre), ref.gpre, TOL.kernel, 'gpre');
        expectRel(await gpu.read(out.dbias), ref.dbias, TOL.kernel, 'dbias');
        if (arch === 'jumprelu') expectRel(await gpu.read(out.dlogTheta), ref.dlogTheta, TOL.kernel, 'dlogTheta');
        const stats = await gpu.read(out.latStats);
        for (let i = 0; i < m; i++) {
          expect(stats[i * 4], `fires ${i}`).toBe(ref.stats[i * 4]);
          expect(stats[i * 4 + 2], `window pairs ${i}`).toBe(ref.stats[i * 4 + 2]);
        }
        expectRel(stats.filter((_, i) => i % 4 === 1), ref.stats.filter((_, i) => i % 4 === 1), TOL.kernel, 'fsum');
      });
    }
  }
});
