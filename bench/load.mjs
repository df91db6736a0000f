#!/usr/bin/env node
// bench/load in Node on Dawn (npm "webgpu"): node bench/load.mjs [--layers N] [--dir DIR] [--keep]
//   [--variants sharded,single-over-4GiB] [--dtypes f32,f16,q8,q4]
// --layers: decoder layers of the Gemma-2-2B-shaped checkpoint (26 = the real model, 5.2 GB on disk).
// Without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader: CPU times).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { layers: { type: 'string', default: '26' }, dir: { type: 'string', default: path.join(os.tmpdir(), 'deltascope-bench-load') }, keep: { type: 'boolean', default: false }, variants: { type: 'string', default: 'sharded,single-over-4GiB' }, dtypes: { type: 'string', default: 'f32,f16,q8,q4' } } });
const layers = Number(values.layers);
if (!Number.isInteger(layers) || layers < 1 || layers > 26) throw new Error(`--layers ${values.layers}: expected 1..26`);

const vite = await createServer({ root: ROOT, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false } });
try {
  const { installNodeWebGpu } = await vite.ssrLoadModule('/cli/node-webgpu.ts');
  await installNodeWebGpu();
  const { runLoadBench } = await vite.ssrLoadModule('/bench/load.ts');
  await runLoadBench({ dir: values.dir, layers, keep: values.keep, variants: values.variants.split(','), dtypes: values.dtypes.split(','), log: (line) => console.log(line) });
} finally {
  await vite.close();
}
process.exit(0);
