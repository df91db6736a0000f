import { expose } from 'comlink';
import { installComlinkErrorHandler } from '../src/errors/comlink.js';
import { createExperimentApi } from '../src/lab/index.js';

/** The whole experiment (load, extract, train, evaluate) in a module worker; the page only renders. */
installComlinkErrorHandler();
const api = createExperimentApi();
export type ExperimentWorkerApi = typeof api;
expose(api);
