import { acquireGpu, type Gpu } from '../../src/gpu/index.js';

let shared: Promise<Gpu> | null = null;

/** One device per test file (each browser test file runs in its own page). */
export function testGpu(): Promise<Gpu> {
  shared ??= acquireGpu();
  return shared;
}
