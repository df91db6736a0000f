import { numel, type Gpu, type GpuTensor } from '../gpu/index.js';

/** A view of `t` with another shape over the same buffer (no copy). */
export function view(t: GpuTensor, shape: readonly number[]): GpuTensor {
  return { ...t, shape: [...shape] };
}

/**
 * Named scratch tensors of a forward pass, allocated once at their largest size and handed out as views,
 * so every layer and every batch chunk reuses the same buffers.
 */
export class Workspace {
  private readonly buffers = new Map<string, GpuTensor>();

  constructor(private readonly gpu: Gpu) {}

  get(name: string, shape: readonly number[]): GpuTensor {
    const bytes = Math.max(4, numel(shape) * 4);
    let t = this.buffers.get(name);
    if (!t || t.buffer.size < bytes) {
      this.gpu.release(t);
      t = this.gpu.empty(shape, 'f32', `model.${name}`);
      this.buffers.set(name, t);
    }
    return view(t, shape);
  }

  release(): void {
    this.gpu.release(...this.buffers.values());
    this.buffers.clear();
  }
}
