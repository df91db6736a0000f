import { describe, expect, it } from 'vitest';
import { buildCsr } from '../../src/sae/kernels/sae-csr.js';
import { testGpu } from '../helpers/gpu.js';
import { csrRef } from '../ref/sae-sparse.js';
import { randomCode } from '../helpers/sae-fixtures.js';

const SIZES = [[1, 1, 1], [9, 3, 255], [17, 4, 257], [31, 6, 1031], [257, 3, 7]] as const;

describe('sae-csr kernel (parallel variant with workgroup 256, serial variant)', () => {
  for (const family of ['gpu', 'cpu'] as const) {
    const name = family === 'gpu' ? 'parallel' : 'serial';
    for (const [rows, kk, m] of SIZES) {
      it(`builds the per-latent lists in slot order (${name}, rows ${rows}, k ${kk}, m ${m})`, async () => {
        const gpu = await testGpu();
        const { idx } = randomCode(rows, kk, m, m + kk);
        const csr = { offsets: gpu.empty([m + 1], 'u32'), entries: gpu.empty([rows * kk], 'u32') };
        await buildCsr(gpu, gpu.upload(idx, [rows, kk], 'u32'), m, csr, family);
        const ref = csrRef(idx, m);
        expect([...new Uint32Array(await gpu.readBytes(csr.offsets))]).toEqual(ref.offsets);
        expect([...new Uint32Array(await gpu.readBytes(csr.entries)).subarray(0, ref.entries.length)]).toEqual(ref.entries);
      });
    }
  }
});
