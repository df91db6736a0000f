import type { Gpu, GpuTensor } from '../../gpu/index.js';

const dummies = new WeakMap<Gpu, GpuTensor[]>();

/**
 * A small zero tensor bound where a kernel's optional input or output is switched off by a Params flag.
 * Each binding of one dispatch needs its own (`slot`): one buffer bound both read-only and writable is invalid.
 */
export function dummyTensor(gpu: Gpu, slot = 0, dtype: 'f32' | 'u32' = 'f32'): GpuTensor {
  let list = dummies.get(gpu);
  if (!list) dummies.set(gpu, (list = []));
  list[slot] ??= gpu.upload(new Float32Array(4), [4], 'f32', `sae.dummy${slot}`);
  return { ...list[slot], dtype };
}
