import type { LoraAdapter } from './lora-adapter.js';

/**
 * The adapter with every module's scaling multiplied by `factor`, under another name: the same A/B tensors
 * (nothing is read or copied), so the engine runs it as one more stream whose LoRA term is factor × the original.
 */
export function scaledLoraAdapter(adapter: LoraAdapter, factor: number, name: string): LoraAdapter {
  if (!Number.isFinite(factor)) throw new RangeError(`scaling factor ${factor} is not finite`);
  return { ...adapter, name, modules: adapter.modules.map((m) => ({ ...m, scaling: m.scaling * factor })) };
}
