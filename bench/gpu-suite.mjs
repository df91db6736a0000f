#!/usr/bin/env node
// The GPU bench suite from source, in Node on Dawn: node bench/gpu-suite.mjs [--preset tiny|full] [--out FILE]
//   [--model DIR] [--fixtures DIR] [--peer FILE]... [--force-gpu-variants]
// Without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader: CPU times).
// On a GPU server without node_modules use the bundle of bench/gpu/pack.mjs instead (bench/gpu/README.md).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vite = await createServer({ root: ROOT, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false } });
let code = 1;
try {
  const { main } = await vite.ssrLoadModule('/bench/gpu-suite-node.ts');
  code = await main(process.argv.slice(2));
} finally {
  await vite.close();
}
process.exit(code);
