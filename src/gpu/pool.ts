/**
 * Reuses GPU buffers by (size class, usage). Sizes are rounded up to 16 B (or the next power of two
 * above 1 MiB, so odd sizes still share), and released buffers only return to the free list after the
 * commands that used them were submitted (`afterSubmit`), so a buffer is never reused mid-encoder.
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  private allocatedBytesTotal = 0;
  private peakBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  get allocatedBytes(): number {
    return this.allocatedBytesTotal;
  }

  /** The most bytes allocated at once since creation or resetPeak(): what a memory estimate must cover. */
  get peakAllocatedBytes(): number {
    return this.peakBytes;
  }

  resetPeak(): void {
    this.peakBytes = this.allocatedBytesTotal;
  }

  static roundSize(bytes: number): number {
    const b = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (b <= 1 << 20) return b;
    return 2 ** Math.ceil(Math.log2(b));
  }

  /**
   * A buffer of at least `bytes`. `exact` skips the power-of-two rounding (long-lived weights, where rounding
   * would waste up to half), and rounding never goes past the device's maxBufferSize.
   */
  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string, exact = false): GPUBuffer {
    const tight = Math.max(16, Math.ceil(bytes / 16) * 16);
    const rounded = BufferPool.roundSize(bytes);
    const size = exact || rounded > this.device.limits.maxBufferSize ? tight : rounded;
    const key = `${size}:${usage}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({ size, usage, label });
    this.sizes.set(buffer, size);
    this.allocatedBytesTotal += size;
    this.peakBytes = Math.max(this.peakBytes, this.allocatedBytesTotal);
    return buffer;
  }

  /** Hand a buffer back; it becomes reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.pending.push(buffer);
  }

  afterSubmit(): void {
    for (const b of this.pending) {
      const key = `${b.size}:${b.usage}`;
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(b);
    }
    this.pending = [];
  }

  /** Destroy every idle buffer (e.g. between runs). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.allocatedBytesTotal -= this.sizes.get(b) ?? b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }
}
