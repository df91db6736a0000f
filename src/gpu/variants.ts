import type { Gpu } from './gpu.js';

/**
 * The family of kernel variants an adapter gets: 'cpu' on fallback adapters such as SwiftShader (few
 * invocations with long serial loops, no barriers or atomics, which it runs slowly), 'gpu' elsewhere
 * (many invocations, workgroup memory, atomics).
 */
export type VariantFamily = 'cpu' | 'gpu';

const forced = new WeakMap<Gpu, VariantFamily>();

/** Whether the adapter is a CPU implementation of WebGPU. */
export function isCpuAdapter(gpu: Gpu): boolean {
  return gpu.info.isFallbackAdapter || gpu.info.architecture.includes('swiftshader');
}

/** The family kernels pick by default on this device: forced, or from the adapter. */
export function variantFamily(gpu: Gpu): VariantFamily {
  return forced.get(gpu) ?? (isCpuAdapter(gpu) ? 'cpu' : 'gpu');
}

/**
 * Forces a family on this device (null: back to the adapter's), so that the GPU variants run, and are
 * tested, on SwiftShader too.
 */
export function forceVariantFamily(gpu: Gpu, family: VariantFamily | null): void {
  if (family) forced.set(gpu, family);
  else forced.delete(gpu);
}
