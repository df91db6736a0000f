import { DeltascopeError, InputError } from '../src/errors/index.js';
import type { Runtime } from './browser.js';

type Command = { run(argv: string[]): Promise<void> };

/** Each command lives in cli/commands/<name>.ts and is loaded only when called. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run.js'),
  compare: () => import('./commands/compare.js'),
  'gpu-info': () => import('./commands/gpu-info.js'),
  train: () => import('./commands/train.js'),
  extract: () => import('./commands/extract.js'),
  lens: () => import('./commands/lens.js'),
  inspect: () => import('./commands/inspect.js'),
  metrics: () => import('./commands/metrics.js'),
};

const USAGE = `usage: deltascope <command> [options]

commands:
  inspect PATH [--base MODEL_DIR]        what a model, adapter, SAE or bundle holds, validated
  extract --model DIR|URL --adapter DIR … (--tokens ids.npy | --text FILE --tokenizer DIR) --layers 0,2 --dtype f32|f16|q8|q4 --out DIR [--save-base]
  lens --model DIR|URL --adapter DIR … (--tokens ids.npy | --text FILE --tokenizer DIR) --layers L,… [--top 20] [--out FILE.json]
  train --data FILE --arch relu-l1|topk|jumprelu --width M … --out DIR
  metrics --decoders A.npy B.npy [--k 8,16]  |  metrics --cka X.npy Y.npy
  compare --sae NPZ|DIR [--sae NPZ|DIR] --data FILE [--tensor NAME] [--out DIR]
  run --config FILE|demo --out DIR
  gpu-info                               the WebGPU adapter batch runs use

GPU commands (extract, lens, train, metrics, compare, run, gpu-info) take --runtime chromium|node:
headless Chromium (default) or Node with WebGPU from Dawn (npm "webgpu"), for GPU servers where Chromium gets no GPU.`;

/** Bad-input messages quote file contents; keep them to one readable line whatever those hold. */
function oneLine(message: string): string {
  const flat = message.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  return flat.length > 2000 ? `${flat.slice(0, 2000)}…` : flat;
}

/** `--runtime node|chromium` (any GPU command): removed from argv and set for the page-side task. */
async function takeRuntime(argv: string[]): Promise<string[]> {
  const at = argv.indexOf('--runtime');
  if (at < 0) return argv;
  const value = argv[at + 1];
  const { RUNTIMES, setRuntime } = await import('./browser.js');
  if (!RUNTIMES.includes(value as Runtime)) throw new InputError('--runtime', `"${value ?? ''}" is not one of ${RUNTIMES.join(', ')}`);
  setRuntime(value as Runtime);
  return [...argv.slice(0, at), ...argv.slice(at + 2)];
}

/** Runs one command; returns the exit status (0 ok, 2 bad input, 1 anything else). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`deltascope: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  try {
    const command = await load();
    await command.run(await takeRuntime(rest));
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${oneLine(`${e.file}: ${e.problem}`)}\n`);
      return 2;
    }
    if (e instanceof DeltascopeError) {
      process.stderr.write(`deltascope ${name}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`deltascope ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
