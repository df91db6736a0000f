import { expose, transfer } from 'comlink';
import { installComlinkErrorHandler } from '../src/errors/comlink.js';
import { createExtractApi, type ExtractApi } from '../src/lab/index.js';
import type { StreamName } from '../src/store/index.js';

/** Extraction runs and the activation store in a module worker; exported bytes are transferred, not copied. */
function createWorkerApi() {
  const api: ExtractApi = createExtractApi();
  return {
    ...api,
    async exportTensor(runId: string, layer: number, stream: StreamName, format: 'npy' | 'safetensors'): Promise<Uint8Array> {
      const bytes = await api.exportTensor(runId, layer, stream, format);
      return transfer(bytes, [bytes.buffer as ArrayBuffer]);
    },
  };
}

installComlinkErrorHandler();
const api = createWorkerApi();
export type ExtractWorkerApi = typeof api;
expose(api);
