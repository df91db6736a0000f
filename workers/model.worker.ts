import { expose, transfer } from 'comlink';
import { installComlinkErrorHandler } from '../src/errors/comlink.js';
import { createModelApi, type HostForward } from '../src/model/index.js';

/** The Gemma-2 engine in a module worker: load, forward (arrays transferred back), cancel, dispose. */
function createWorkerApi() {
  const api = createModelApi();
  return {
    ...api,
    async forward(ids: Int32Array, batch: number, seq: number): Promise<HostForward> {
      const out = await api.forward(ids, batch, seq);
      const arrays = [...out.residPost.values(), ...out.delta.values(), ...(out.residMid?.values() ?? []), ...(out.logits ? [out.logits] : [])];
      return transfer(out, arrays.map((a) => a.buffer as ArrayBuffer));
    },
  };
}

installComlinkErrorHandler();
const api = createWorkerApi();
export type ModelWorkerApi = typeof api;
expose(api);
