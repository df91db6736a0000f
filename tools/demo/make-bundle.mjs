// Makes the demo's shipped result bundle from a real run of the whole pipeline:
//   node cli/deltascope.mjs run --config demo --out <tmp>
// then copies its bundle.zip to public/demo/bundle.zip and records size, sha256 and how it was made in
// public/demo/bundle.json. Run it again whenever the demo config, the demo assets or the pipeline change.
// Usage: node tools/demo/make-bundle.mjs [DEMO_DIR]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { readBundleManifest } = await import('../../src/formats/index.ts');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const demoDir = path.resolve(process.argv[2] ?? path.join(root, 'public/demo'));
const out = mkdtempSync(path.join(tmpdir(), 'deltascope-demo-bundle-'));
const args = ['cli/deltascope.mjs', 'run', '--config', 'demo', '--out', out];
const started = Date.now();
const run = spawnSync('node', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (run.status !== 0) {
  console.error(`deltascope run --config demo failed (exit ${run.status})`);
  process.exit(1);
}
const summary = JSON.parse(run.stdout.trim().split('\n').pop());
const bytes = readFileSync(summary.bundle);
copyFileSync(summary.bundle, path.join(demoDir, 'bundle.zip'));
const manifest = readBundleManifest(new Uint8Array(bytes), summary.bundle);
const record = {
  generator: 'tools/demo/make-bundle.mjs',
  command: `node ${args.slice(0, 4).join(' ')} --out DIR`,
  file: 'bundle.zip',
  bytes: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  app: manifest.app,
  createdAt: manifest.createdAt,
  runSeconds: Math.round((Date.now() - started) / 1000),
};
writeFileSync(path.join(demoDir, 'bundle.json'), `${JSON.stringify(record, null, 2)}\n`);
rmSync(out, { recursive: true, force: true });
console.log(JSON.stringify(record));
