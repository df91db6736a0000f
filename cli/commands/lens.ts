import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors/index.js';
import { parseArgs } from '../args.js';
import { runInBrowser } from '../browser.js';
import type { LensArgs, LensOutput } from '../page/tasks/lens.js';
import { validate } from './extract.js';

const SPEC = {
  command: 'lens',
  flags: {
    model: 'string',
    adapter: 'list',
    tokens: 'string',
    text: 'string',
    tokenizer: 'string',
    layers: 'string',
    dtype: 'string',
    top: 'string',
    out: 'string',
    seq: 'string',
    'max-batch-tokens': 'string',
  },
  required: ['model', 'adapter', 'layers'],
} as const;

/**
 * `deltascope lens`: the activation-difference lens of each adapter at each layer (extraction in headless
 * Chromium, then W_E·v on its GPU). Prints {"layers":{L:{adapter:{promoted,suppressed}}}}; --out FILE also
 * writes the full readout, with the per-position lens and token counts.
 */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, { ...SPEC, flags: { ...SPEC.flags }, required: [...SPEC.required] });
  const { args, files } = await validate(flags, 'lens');
  const top = flags.top === undefined ? 20 : Number(flags.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new InputError('--top', `"${String(flags.top)}" is not an integer in 1..1000`);
  const tokenizer = flags.tokenizer as string | undefined;
  if (tokenizer && !files.tokenizer) {
    if (!existsSync(path.join(tokenizer, 'tokenizer.json')) || !statSync(path.join(tokenizer, 'tokenizer.json')).isFile()) throw new InputError(path.join(tokenizer, 'tokenizer.json'), 'missing tokenizer.json');
    files.tokenizer = tokenizer;
  }
  const lensArgs: Omit<LensArgs, 'files'> = { ...args, saveBase: false, top };
  const { result } = await runInBrowser<LensOutput>('lens', { ...lensArgs }, { files });
  if (typeof flags.out === 'string') await writeFile(flags.out, `${JSON.stringify(result, null, 2)}\n`);
  const layers: Record<string, Record<string, { promoted: unknown[]; suppressed: unknown[] }>> = {};
  for (const e of result.entries) (layers[String(e.layer)] ??= {})[e.adapter] = { promoted: e.promoted, suppressed: e.suppressed };
  process.stdout.write(`${JSON.stringify({ layers })}\n`);
}
