import { describe, expect, it } from 'vitest';
import { DeltascopeError, DeviceLostError, GpuError } from '../../src/errors/index.js';
import { acquireGpu, add, addKernel, packParams, type Gpu } from '../../src/gpu/index.js';

/** Rejects with a timeout error instead of hanging the test when `p` never settles. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms))]);
}

async function lostGpu(waitForLost: boolean): Promise<{ gpu: Gpu; a: ReturnType<Gpu['upload']> }> {
  const gpu = await acquireGpu();
  const a = gpu.upload(new Float32Array([1, 2, 3]), [3]);
  await add(gpu, a, a); // compiles and caches the pipeline, so run() below has no compile to wait for
  await gpu.sync();
  gpu.device.destroy();
  if (waitForLost) await gpu.lost;
  return { gpu, a };
}

describe('device loss and compile errors', () => {
  for (const waitForLost of [true, false]) {
    const when = waitForLost ? 'after device.lost resolved' : 'right after device.destroy()';
    it(`read, sync and run reject with DeviceLostError ${when}`, async () => {
      const { gpu, a } = await lostGpu(waitForLost);
      await expect(within(gpu.read(a), 5000, 'read')).rejects.toBeInstanceOf(DeviceLostError);
      await expect(within(gpu.sync(), 5000, 'sync')).rejects.toMatchObject({ code: 'gpu-device-lost' });
      await expect(within(add(gpu, a, a), 5000, 'run')).rejects.toBeInstanceOf(DeviceLostError);
      expect((await gpu.lost).reason).toBe('destroyed');
    });
  }

  it('a validation error in recorded work surfaces at the next read, once, instead of only in the console', async () => {
    const gpu = await acquireGpu();
    const a = gpu.upload(new Float32Array([1, 2, 3]), [3]);
    // The same buffer as read-only input and writable output: WebGPU rejects the dispatch.
    await gpu.run(addKernel, { params: packParams([{ u32: 3 }, { f32: 1 }]), buffers: [a, a, a], workgroups: 1, overrides: { WG: 256 } });
    const err = await within(gpu.read(a), 5000, 'read').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeltascopeError);
    expect(err).toMatchObject({ code: 'internal' });
    expect(Array.from(await gpu.read(a))).toEqual([1, 2, 3]);
    gpu.destroy();
  });

  it('a kernel that does not compile rejects with a GpuError naming line:column', async () => {
    const gpu = await acquireGpu();
    const broken = { name: 'broken', source: '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_thing;\n}\n' };
    const err = await gpu.run(broken, { buffers: [], workgroups: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect((err as GpuError).code).toBe('gpu-compile');
    expect((err as GpuError).message).toMatch(/broken\.wgsl:3:\d+:/);
    // Reported once, as the compile error, not again as an uncaptured error at the next sync.
    await gpu.sync();
    gpu.destroy();
  });
});
