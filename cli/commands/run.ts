import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors/index.js';
import { readBundleManifest } from '../../src/formats/index.js';
// Not src/lab/index.js: that pulls in WGSL through the engine, which Node cannot import.
import { demoRunConfig } from '../../src/lab/demo-config.js';
import { parseRunConfig, type RunConfig, type Source } from '../../src/lab/run-config.js';
import { parseArgs } from '../args.js';
import { runInBrowser } from '../browser.js';
import type { RunTaskArgs, RunTaskResult } from '../page/tasks/run.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Local sources name paths relative to the config file; each becomes a file the harness serves. */
function localFiles(config: RunConfig, configFile: string): Record<string, string> {
  const dir = path.dirname(path.resolve(configFile));
  const files: Record<string, string> = {};
  const add = (key: string, source: Source | { kind: 'sample' }, where: string, kind: 'folder' | 'file' | 'either') => {
    if (source.kind !== 'local') return;
    if (!source.path) throw new InputError(configFile, `${where}: a local source needs a "path" (relative to the config file) for the CLI`);
    const p = path.resolve(dir, source.path);
    if (!existsSync(p)) throw new InputError(p, `${where}: no such file or folder`);
    const isDir = statSync(p).isDirectory();
    if (kind === 'folder' && !isDir) throw new InputError(p, `${where}: expected a folder`);
    if (kind === 'file' && isDir) throw new InputError(p, `${where}: expected a file`);
    files[key] = p;
  };
  add('model', config.model, 'model', 'folder');
  if (config.tokenizer) add('tokenizer', config.tokenizer, 'tokenizer', 'folder');
  add('dataset', config.dataset.source, 'dataset', 'file');
  config.adapters.forEach((a, i) => add(`adapter-${a.name}`, a.source, `adapters[${i}]`, 'folder'));
  config.pretrained.forEach((p, i) => add(`pretrained-${p.layer}`, p.source, `pretrained[${i}]`, 'either'));
  return files;
}

/** `deltascope run --config FILE|demo --out DIR`: the whole pipeline headless; writes DIR/bundle.zip. */
export async function run(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, { command: 'run', flags: { config: 'string', out: 'string' }, required: ['config', 'out'] });
  const configArg = flags.config as string;
  const out = path.resolve(flags.out as string);
  let config: RunConfig;
  let files: Record<string, string> = {};
  if (configArg === 'demo') {
    const demoJson = path.join(ROOT, 'public/demo/demo.json');
    if (!existsSync(demoJson)) throw new InputError(demoJson, 'the demo assets are missing (see tools/demo)');
    config = demoRunConfig(JSON.parse(await readFile(demoJson, 'utf8')), demoJson);
  } else {
    if (!existsSync(configArg) || !statSync(configArg).isFile()) throw new InputError(configArg, 'no such config file');
    config = parseRunConfig(await readFile(configArg, 'utf8'), configArg);
    files = localFiles(config, configArg);
  }
  const started = Date.now();
  const { result, outputs } = await runInBrowser<RunTaskResult>('run', { config } satisfies Omit<RunTaskArgs, 'files'>, { files });
  const zip = outputs.get('bundle.zip');
  if (!zip) throw new Error('the page returned no bundle');
  const manifest = readBundleManifest(zip, 'bundle.zip');
  await mkdir(out, { recursive: true });
  const bundlePath = path.join(out, 'bundle.zip');
  await writeFile(bundlePath, zip);
  process.stdout.write(`${JSON.stringify({ bundle: bundlePath, bytes: zip.length, seconds: Math.round((Date.now() - started) / 1000), stages: manifest.stages, ...result })}\n`);
}
