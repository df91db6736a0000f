import { acquireGpu, type GpuInfo } from '../../../src/gpu/index.js';

/** The adapter Chromium gives this machine: the GPU when it has one, else SwiftShader. */
export async function gpuInfo(): Promise<GpuInfo> {
  const gpu = await acquireGpu();
  try {
    return gpu.info;
  } finally {
    gpu.destroy();
  }
}
