#!/usr/bin/env node
// Packs what a GPU server needs to run the bench suite without node_modules or a browser (../shared/gpu-run.md):
//   bench/gpu/dist/suite.mjs          the suite and the project's code as one Node bundle (WGSL inlined)
//   bench/gpu/dist/node.xz            this machine's Node binary (official self-contained build)
//   bench/gpu/dist/node_modules/webgpu/  Dawn (npm webgpu): its loader and dawn.node.xz
//   bench/gpu/dist/libvulkan1.deb     the Vulkan loader Dawn dlopens (Debian's package)
//   bench/gpu/dist/fixtures/          the fixture files the suite's engine checks read
// dist/ is git-ignored; carry it: device run --carry bench/gpu/dist, then bash bench/gpu/run-server.sh.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/gpu/dist');
const FIXTURES = path.resolve(ROOT, '../shared/fixtures');

rmSync(OUT, { recursive: true, force: true });
await build({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: 'bench/gpu/entry.ts',
    outDir: OUT,
    target: 'node20',
    minify: false,
    rollupOptions: { external: ['webgpu'], output: { entryFileNames: 'suite.mjs', codeSplitting: false } },
  },
  ssr: { noExternal: true, target: 'node' },
});

const xz = (src, dst) => execFileSync('sh', ['-c', `xz -T0 -6 -c "${src}" > "${dst}"`]);
xz(process.execPath, path.join(OUT, 'node.xz'));
const webgpu = path.join(ROOT, 'node_modules/webgpu');
const dawnDir = path.join(OUT, 'node_modules/webgpu/dist/linux-x64');
mkdirSync(dawnDir, { recursive: true });
for (const f of ['package.json', 'index.js']) cpSync(path.join(webgpu, f), path.join(OUT, 'node_modules/webgpu', f));
xz(path.join(webgpu, 'dist/linux-x64/dawn.node'), path.join(dawnDir, 'dawn.node.xz'));
execFileSync('sh', ['-c', `cd "${OUT}" && apt-get download libvulkan1 && mv libvulkan1_*.deb libvulkan1.deb`], { stdio: 'inherit' });

const fixtureFiles = ['model', 'adapters', 'reference/input_ids.npy', 'reference/base', 'reference/adapters', 'reference/quant'];
for (const f of fixtureFiles) cpSync(path.join(FIXTURES, f), path.join(OUT, 'fixtures', f), { recursive: true });

const size = (p) => (statSync(p).isDirectory() ? 0 : statSync(p).size);
const total = execFileSync('du', ['-sb', OUT]).toString().split('\t')[0];
console.log(`packed ${OUT}: ${(Number(total) / 2 ** 20).toFixed(1)} MiB (suite.mjs ${(size(path.join(OUT, 'suite.mjs')) / 2 ** 20).toFixed(2)} MiB)`);
