// Entry of cli.html: the page the CLI drives in headless Chromium (see cli/browser.ts).
import { serializeError, type SerializedError } from '../../src/errors/index.js';

type Task = (args: unknown) => Promise<unknown>;

/** Page-side tasks, loaded on demand; each validates its own arguments. */
const TASKS: Record<string, () => Promise<Task>> = {
  run: async () => (await import('./tasks/run.js')).run as Task,
  'gpu-info': async () => (await import('./tasks/gpu-info.js')).gpuInfo as Task,
  train: async () => (await import('./tasks/train.js')).train as Task,
  extract: async () => (await import('./tasks/extract.js')).extract as Task,
  lens: async () => (await import('./tasks/lens.js')).lens as Task,
  metrics: async () => (await import('./tasks/metrics.js')).metrics as Task,
};

export type TaskOutcome = { ok: true; result: unknown } | { ok: false; error: SerializedError };

async function runTask(name: string, args: unknown): Promise<TaskOutcome> {
  try {
    const load = TASKS[name];
    if (!load) throw new Error(`unknown CLI task "${name}"`);
    const task = await load();
    return { ok: true, result: await task(args) };
  } catch (e) {
    return { ok: false, error: serializeError(e) };
  }
}

(globalThis as { deltascopeCli?: unknown }).deltascopeCli = { run: runTask };
