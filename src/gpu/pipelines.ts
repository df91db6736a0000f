import { GpuError } from '../errors/index.js';

/** A WGSL compute kernel: its source, entry point and a stable name used for labels and caching. */
export interface Kernel {
  readonly name: string;
  readonly source: string;
  readonly entryPoint?: string;
}

export type Overrides = Record<string, number>;

/**
 * Compiles pipelines once per (kernel, overrides), shares compiles already in flight, and turns
 * compile failures into a GpuError that carries getCompilationInfo()'s line:column messages.
 */
export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice) {}

  get(kernel: Kernel, overrides: Overrides = {}): Promise<GPUComputePipeline> {
    const key = `${kernel.name}:${kernel.entryPoint ?? 'main'}:${JSON.stringify(overrides, Object.keys(overrides).sort())}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(kernel, overrides);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  private module(kernel: Kernel): GPUShaderModule {
    let m = this.modules.get(kernel.name);
    if (!m) {
      // A bad source is reported by compile() with its line:column messages; the scope keeps the same
      // failure from also surfacing later as an uncaptured error (see Gpu.throwUncaptured).
      this.device.pushErrorScope('validation');
      m = this.device.createShaderModule({ code: kernel.source, label: kernel.name });
      void this.device.popErrorScope();
      this.modules.set(kernel.name, m);
    }
    return m;
  }

  private async compile(kernel: Kernel, overrides: Overrides): Promise<GPUComputePipeline> {
    const module = this.module(kernel);
    try {
      return await this.device.createComputePipelineAsync({
        label: kernel.name,
        layout: 'auto',
        compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: overrides },
      });
    } catch (e) {
      const info = await module.getCompilationInfo();
      const lines = info.messages
        .filter((m) => m.type === 'error')
        .map((m) => `${kernel.name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`);
      const detail = lines.length ? lines.join('\n') : e instanceof Error ? e.message : String(e);
      throw new GpuError('gpu-compile', `kernel ${kernel.name} failed to compile:\n${detail}`);
    }
  }
}
