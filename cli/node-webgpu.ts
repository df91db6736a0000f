// Node-only: WebGPU through Dawn (the `webgpu` npm package) for `--runtime node`, benches and the node-gpu tests.

/** Where Dawn finds no Vulkan device, the hint that usually fixes it. */
const NO_ADAPTER_HELP =
  'Dawn found no GPU adapter. On a Linux GPU server point the Vulkan loader at the driver (e.g. VK_DRIVER_FILES=/usr/share/vulkan/icd.d/nvidia_icd.json); ' +
  'for a CPU-only check use SwiftShader (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json); VK_LOADER_DEBUG=error,warn shows what the loader saw.';

/**
 * Puts Dawn's `navigator.gpu` and the WebGPU globals (GPUBufferUsage, GPUMapMode, …) on globalThis, so the
 * same src/ code that runs in Chromium runs in Node. Idempotent.
 */
export async function installNodeWebGpu(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (e) {
    throw new Error(`--runtime node needs the npm package "webgpu" (Dawn): ${e instanceof Error ? e.message : String(e)}`);
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

export { NO_ADAPTER_HELP };
