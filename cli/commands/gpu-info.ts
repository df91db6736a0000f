import type { GpuInfo } from '../../src/gpu/index.js';
import { parseArgs } from '../args.js';
import { runInBrowser } from '../browser.js';

/** `deltascope gpu-info`: prints the WebGPU adapter that batch runs will use, as JSON. */
export async function run(argv: string[]): Promise<void> {
  parseArgs(argv, { command: 'gpu-info', flags: {} });
  const { result } = await runInBrowser<GpuInfo>('gpu-info', {});
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
