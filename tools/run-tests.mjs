#!/usr/bin/env node
// Runs every suite (unit, gpu, e2e) once and ends with the one line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const report = path.join(mkdtempSync(path.join(tmpdir(), 'deltascope-tests-')), 'report.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } });

let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0) + (json.success || run.status === 0 ? 0 : failedSuites(json));
} catch {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

function failedSuites(json) {
  // A file that failed to load has no test results: count it so a broken suite is never green.
  return json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length || (json.numFailedTests ? 0 : 1);
}
