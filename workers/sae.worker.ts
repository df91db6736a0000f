import { expose } from 'comlink';
import { installComlinkErrorHandler } from '../src/errors/comlink.js';
import { createSaeApi } from '../src/sae/index.js';

/** SAE training in a module worker (main thread: wrap<SaeWorkerApi>(new Worker(new URL(…), { type: 'module' }))). */
installComlinkErrorHandler();
const api = createSaeApi();
export type SaeWorkerApi = typeof api;
expose(api);
