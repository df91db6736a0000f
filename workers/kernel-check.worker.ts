import { expose, transfer } from 'comlink';
import { InputError } from '../src/errors/index.js';
import { installComlinkErrorHandler } from '../src/errors/comlink.js';
import { acquireGpu, matmulTransB, softmaxRows, type Gpu } from '../src/gpu/index.js';

/** Runs generic kernels inside a module worker: proves the WGSL, the device and the error path work there. */
function createKernelCheckApi() {
  let gpu: Promise<Gpu> | null = null;
  const device = (): Promise<Gpu> => (gpu ??= acquireGpu());

  return {
    /** Adapter description, for logs. */
    async adapter(): Promise<string> {
      const g = await device();
      return `${g.info.vendor} ${g.info.architecture} ${g.info.description}`.trim();
    },

    /**
     * softmax over rows of x·Wᵀ, and the product itself.
     * @param x [M, K] f32  @param w [N, K] f32
     * @returns y [M, N] and p = softmaxRows(y) [M, N], transferred
     */
    async matmulSoftmax(x: Float32Array, w: Float32Array, M: number, K: number, N: number): Promise<{ y: Float32Array; p: Float32Array }> {
      if (x.length !== M * K) throw new InputError('x', `${x.length} values do not fill [${M}, ${K}]`);
      if (w.length !== N * K) throw new InputError('w', `${w.length} values do not fill [${N}, ${K}]`);
      const g = await device();
      const tx = g.upload(x, [M, K], 'f32', 'x');
      const tw = g.upload(w, [N, K], 'f32', 'w');
      const ty = await matmulTransB(g, tx, tw);
      const tp = await softmaxRows(g, ty);
      try {
        const [y, p] = [await g.read(ty), await g.read(tp)];
        return transfer({ y, p }, [y.buffer, p.buffer]);
      } finally {
        g.release(tx, tw, ty, tp);
      }
    },
  };
}

installComlinkErrorHandler();
const api = createKernelCheckApi();
export type KernelCheckApi = typeof api;
expose(api);
