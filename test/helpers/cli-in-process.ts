import { main } from '../../cli/main.js';

/**
 * Runs `deltascope …` in this process (the bin's code path without a process start-up), capturing its output.
 * `cpuMs` is this process's CPU time for the command: wall time on a shared 2-core machine says little.
 */
export async function runCliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string; cpuMs: number }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  const t0 = process.cpuUsage();
  try {
    const code = await main(args);
    const used = process.cpuUsage(t0);
    return { code, stdout, stderr, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
