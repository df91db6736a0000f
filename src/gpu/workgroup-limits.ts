import type { Gpu } from './gpu.js';

/**
 * Why this device cannot run a workgroup of x × y threads that stages `storageBytes` of workgroup memory (null: it
 * can). Tile configurations are checked with it before they are compiled, so a bad one is one clear message.
 */
export function workgroupProblem(gpu: Gpu, x: number, y: number, storageBytes: number): string | null {
  const lim = gpu.limits;
  if (x * y > lim.maxComputeInvocationsPerWorkgroup || x > lim.maxComputeWorkgroupSizeX || y > lim.maxComputeWorkgroupSizeY) {
    return `${x} × ${y} threads exceed this device's workgroup size limits`;
  }
  if (storageBytes > lim.maxComputeWorkgroupStorageSize) return `its tiles take ${storageBytes} bytes of workgroup memory, over this device's ${lim.maxComputeWorkgroupStorageSize}`;
  return null;
}
