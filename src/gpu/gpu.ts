import { DeltascopeError, DeviceLostError, GpuError } from '../errors/index.js';
import { foldWorkgroups } from './dispatch.js';
import { PipelineCache, type Kernel, type Overrides } from './pipelines.js';
import { BufferPool } from './pool.js';
import { BYTES_PER_ELEMENT, numel, type GpuDtype, type GpuTensor } from './tensor.js';

/** How long a failed GPU call waits for `device.lost` before reporting its own error instead. */
const LOST_GRACE_MS = 1000;

/** What the adapter is, for logs, benches and bundles. */
export interface GpuInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Request WebGPU's default limits instead of the adapter's own (tests of chunking use this). */
  defaultLimits?: boolean;
}

const OPTIONAL_FEATURES: GPUFeatureName[] = ['shader-f16', 'subgroups' as GPUFeatureName, 'timestamp-query'];
const REQUESTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Where WebGPU is missing, the one message a user sees. */
export const NO_WEBGPU_HELP =
  'WebGPU is not available in this browser. Use Chrome or Edge 113 or newer with hardware acceleration enabled (chrome://settings/system), or open a result bundle, which needs no GPU.';

/** Requests an adapter and a device with the adapter's own limits and whichever optional features it has. */
export async function acquireGpu(options: AcquireOptions = {}): Promise<Gpu> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (!nav?.gpu) throw new GpuError('gpu-unavailable', NO_WEBGPU_HELP);
  const adapter = await nav.gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuError('gpu-unavailable', NO_WEBGPU_HELP);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  if (!options.defaultLimits) {
    for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'deltascope' });
  const info = adapter.info;
  return new Gpu(device, {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    features: [...device.features],
    maxBufferSize: device.limits.maxBufferSize,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
  });
}

type TypedArray = Float32Array | Int32Array | Uint32Array | Uint16Array;

export interface RunOptions {
  /** Storage buffers bound at @binding(1), (2), … in order; the uniform Params struct sits at @binding(0). */
  buffers: readonly GpuTensor[];
  /** Packed Params struct (see packParams); omit for kernels without one, which then start at @binding(0). */
  params?: ArrayBuffer;
  /** Workgroup grid; a single number is folded into 2-D/3-D when it exceeds the per-dimension limit. */
  workgroups: number | readonly [number, number, number];
  overrides?: Overrides;
}

/**
 * One device with its pipeline cache and buffer pool. Dispatches are recorded into one command encoder
 * and submitted together at `flush()` (reads flush first), so a forward pass is a handful of submits.
 */
export class Gpu {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  /** Resolves (never rejects) when the device is lost; holds the error to rethrow. */
  readonly lost: Promise<DeviceLostError>;
  private lostError: DeviceLostError | null = null;
  private readonly lostWaiters = new Set<(e: DeviceLostError) => void>();
  private uncaptured: GPUError | null = null;
  private scopesInFlight: Promise<void>[] = [];
  private submits = 0;
  private quietUntilSubmit = -1;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private uniformsInFlight: GPUBuffer[] = [];
  /** Compute dispatches recorded on this device so far (benches count them per layer). */
  dispatches = 0;

  constructor(
    readonly device: GPUDevice,
    readonly info: GpuInfo,
  ) {
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    this.lost = device.lost.then((l) => {
      const err = new DeviceLostError(l.reason ?? 'unknown', l.message || 'the device was lost');
      this.lostError = err;
      for (const reject of this.lostWaiters) reject(err);
      this.lostWaiters.clear();
      return err;
    });
    // A validation or out-of-memory error would otherwise only reach the console; keep the first one and
    // throw it from the next read or sync. Submitted batches are also error-scoped (see flush).
    device.addEventListener('uncapturederror', (ev) => this.noteError((ev as GPUUncapturedErrorEvent).error));
  }

  private noteError(e: GPUError | null): void {
    // Errors that follow a reported one before the next submit are its echoes ("invalid due to a previous error").
    if (!e || this.submits <= this.quietUntilSubmit) return;
    this.uncaptured ??= e;
  }

  /** Waits for the error scopes of submitted batches, then throws (once) the first WebGPU error seen. */
  private async throwUncaptured(): Promise<void> {
    const scopes = this.scopesInFlight;
    this.scopesInFlight = [];
    await this.untilLost(Promise.all(scopes));
    const e = this.uncaptured;
    if (!e) return;
    this.uncaptured = null;
    this.quietUntilSubmit = this.submits;
    if (e instanceof GPUOutOfMemoryError) throw new GpuError('gpu-out-of-memory', `the GPU ran out of memory: ${e.message}`);
    throw new DeltascopeError('internal', `WebGPU rejected recorded work: ${e.message}`);
  }

  get hasF16(): boolean {
    return this.device.features.has('shader-f16');
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws the DeviceLostError if the device is gone; call before starting new work. */
  checkAlive(): void {
    if (this.lostError) throw this.lostError;
  }

  /** A pooled storage tensor; contents are undefined until written. `exact`: no size rounding (see BufferPool.acquire). */
  empty(shape: readonly number[], dtype: GpuDtype = 'f32', label = 'tensor', exact = false): GpuTensor {
    const bytes = Math.max(4, numel(shape) * BYTES_PER_ELEMENT[dtype]);
    if (bytes > this.device.limits.maxBufferSize) {
      throw new GpuError('gpu-out-of-memory', `${label}: ${bytes} bytes exceeds this GPU's maxBufferSize ${this.device.limits.maxBufferSize}`);
    }
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return { buffer: this.pool.acquire(bytes, usage, label, exact), shape: [...shape], dtype, offsetBytes: 0 };
  }

  /** Uploads host data into a new pooled tensor. */
  upload(data: TypedArray, shape: readonly number[], dtype?: GpuDtype, label = 'upload'): GpuTensor {
    const dt: GpuDtype = dtype ?? (data instanceof Float32Array ? 'f32' : data instanceof Int32Array ? 'i32' : data instanceof Uint16Array ? 'f16' : 'u32');
    if (numel(shape) !== data.length) throw new Error(`${label}: ${data.length} values do not fill shape [${shape.join(', ')}]`);
    const t = this.empty(shape, dt, label);
    this.write(t, data);
    return t;
  }

  /** Writes host data into an existing tensor (queue order: before any later flush). */
  write(t: GpuTensor, data: TypedArray, elementOffset = 0): void {
    const bytes = data.byteLength;
    const padded = bytes % 4 === 0 ? data : new Uint8Array(Math.ceil(bytes / 4) * 4);
    if (padded !== data) (padded as Uint8Array).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
    this.device.queue.writeBuffer(t.buffer, t.offsetBytes + elementOffset * BYTES_PER_ELEMENT[t.dtype], padded.buffer, padded.byteOffset, padded.byteLength);
  }

  release(...tensors: (GpuTensor | null | undefined)[]): void {
    for (const t of tensors) if (t) this.pool.release(t.buffer);
  }

  /** Records one compute dispatch. Compiles (or fetches from cache) its pipeline first. */
  async run(kernel: Kernel, opts: RunOptions): Promise<void> {
    this.checkAlive();
    const pipeline = await this.untilLost(this.pipelines.get(kernel, opts.overrides));
    this.checkAlive();
    this.record(kernel, pipeline, opts);
  }

  /**
   * `p`, or the DeviceLostError when the device goes first (a lost device may never settle `p`). Waiters
   * live in a set rather than in Promise.race on `lost`, which would keep one reaction per call alive
   * for the device's whole life.
   */
  private async untilLost<T>(p: Promise<T>): Promise<T> {
    try {
      return await new Promise<T>((resolve, reject) => {
        if (this.lostError) return reject(this.lostError);
        this.lostWaiters.add(reject);
        p.then(resolve, reject).finally(() => this.lostWaiters.delete(reject));
      });
    } catch (e) {
      return this.lostOr(e);
    }
  }

  /**
   * Rethrows `e`, unless the device turns out to be lost: WebGPU rejects work on a destroyed device
   * (an AbortError from mapAsync, say) before `device.lost` resolves, so wait briefly for it.
   */
  private async lostOr(e: unknown): Promise<never> {
    // Our own errors (a compile failure) are already the answer.
    if (e instanceof DeltascopeError) throw e;
    const lost = await Promise.race([this.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), LOST_GRACE_MS))]);
    throw lost ?? e;
  }

  private record(kernel: Kernel, pipeline: GPUComputePipeline, opts: RunOptions): void {
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    if (opts.params) {
      const ub = this.pool.acquire(opts.params.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${kernel.name}.params`);
      this.device.queue.writeBuffer(ub, 0, opts.params);
      this.uniformsInFlight.push(ub);
      entries.push({ binding: binding++, resource: { buffer: ub, size: opts.params.byteLength } });
    }
    for (const t of opts.buffers) {
      const size = Math.max(4, Math.ceil((numel(t.shape) * BYTES_PER_ELEMENT[t.dtype]) / 4) * 4);
      entries.push({ binding: binding++, resource: { buffer: t.buffer, offset: t.offsetBytes, size: Math.min(size, t.buffer.size - t.offsetBytes) } });
    }
    const bindGroup = this.device.createBindGroup({ label: kernel.name, layout: pipeline.getBindGroupLayout(0), entries });
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'deltascope' });
    if (!this.pass) this.pass = this.encoder.beginComputePass({ label: 'deltascope' });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    const [x, y, z] = typeof opts.workgroups === 'number' ? foldWorkgroups(opts.workgroups, this.device.limits.maxComputeWorkgroupsPerDimension) : opts.workgroups;
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GpuTensor, dst: GpuTensor, bytes: number, srcOffsetBytes = 0, dstOffsetBytes = 0): void {
    this.endPass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'deltascope' });
    this.encoder.copyBufferToBuffer(src.buffer, src.offsetBytes + srcOffsetBytes, dst.buffer, dst.offsetBytes + dstOffsetBytes, bytes);
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits everything recorded so far. */
  flush(): void {
    this.endPass();
    if (this.encoder) {
      // Scoped, so an invalid dispatch in this batch is known for certain by the time a read or sync returns
      // (the uncapturederror event may arrive after the readback's mapAsync).
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.device.queue.submit([this.encoder.finish()]);
      const validation = this.device.popErrorScope();
      const memory = this.device.popErrorScope();
      this.scopesInFlight.push(
        Promise.all([validation, memory]).then(
          ([v, m]) => this.noteError(v ?? m),
          () => undefined, // popErrorScope rejects only on a lost device, which `lost` reports
        ),
      );
      // Long loops that flush often and read rarely would otherwise grow this list without bound.
      if (this.scopesInFlight.length > 64) this.scopesInFlight = [Promise.all(this.scopesInFlight).then(() => undefined)];
      this.encoder = null;
      this.submits++;
    }
    for (const ub of this.uniformsInFlight) this.pool.release(ub);
    this.uniformsInFlight = [];
    this.pool.afterSubmit();
  }

  /** Copies a tensor back to the host (flushes first). Returns raw bytes of its elements. */
  async readBytes(t: GpuTensor, bytes = numel(t.shape) * BYTES_PER_ELEMENT[t.dtype], offsetBytes = 0): Promise<ArrayBuffer> {
    this.checkAlive();
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(4, size), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback' });
    this.endPass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'deltascope' });
    this.encoder.copyBufferToBuffer(t.buffer, t.offsetBytes + offsetBytes, staging, 0, size);
    this.flush();
    try {
      await this.untilLost(staging.mapAsync(GPUMapMode.READ));
      this.checkAlive();
      await this.throwUncaptured();
      return staging.getMappedRange().slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  async read(t: GpuTensor): Promise<Float32Array> {
    if (t.dtype !== 'f32') throw new Error(`read: tensor is ${t.dtype}; use readBytes`);
    return new Float32Array(await this.readBytes(t));
  }

  /** Waits for all submitted work (surfaces device loss as DeviceLostError). */
  async sync(): Promise<void> {
    this.checkAlive();
    this.flush();
    await this.untilLost(this.device.queue.onSubmittedWorkDone());
    this.checkAlive();
    await this.throwUncaptured();
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    this.device.destroy();
  }
}
