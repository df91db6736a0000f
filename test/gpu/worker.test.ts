import { wrap, type Remote } from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltascopeError, InputError } from '../../src/errors/index.js';
import { installComlinkErrorHandler } from '../../src/errors/comlink.js';
import type { KernelCheckApi } from '../../workers/kernel-check.worker.js';
import { expectRel, randomArray } from '../helpers/assert.js';
import { matmulTransBRef } from '../ref/matmul.js';
import { softmaxRowsRef } from '../ref/softmax-rows.js';
import { TOL } from '../tolerances.js';

installComlinkErrorHandler();
const worker = new Worker(new URL('../../workers/kernel-check.worker.ts', import.meta.url), { type: 'module' });
const api: Remote<KernelCheckApi> = wrap<KernelCheckApi>(worker);
afterAll(() => worker.terminate());

describe('kernels in a module Web Worker', () => {
  it('acquires a WebGPU device inside the worker', async () => {
    expect(await api.adapter()).toMatch(/\S/);
  });

  for (const [M, K, N] of [[1, 1, 1], [33, 17, 37], [64, 128, 96]] as const) {
    it(`matmulTransB and softmaxRows match the float64 reference (M=${M} K=${K} N=${N})`, async () => {
      const x = randomArray(M * K, 1);
      const w = randomArray(N * K, 2);
      const { y, p } = await api.matmulSoftmax(x, w, M, K, N);
      const yRef = matmulTransBRef(x, w, M, K, N);
      expectRel(y, yRef, TOL.kernel, 'worker matmulTransB');
      expectRel(p, softmaxRowsRef(Float32Array.from(yRef), M, N), TOL.kernel, 'worker softmax');
    });
  }

  it('an InputError thrown in the worker arrives with code, file and problem intact', async () => {
    const err = await api.matmulSoftmax(new Float32Array(5), new Float32Array(6), 2, 3, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toBeInstanceOf(DeltascopeError);
    expect(err).toMatchObject({ code: 'input', file: 'x', problem: '5 values do not fill [2, 3]', message: 'x: 5 values do not fill [2, 3]' });
  });
});
