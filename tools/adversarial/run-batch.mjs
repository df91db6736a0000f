// Runs many CLI invocations in one Node process (CLI start-up costs seconds on a busy machine) and records,
// per case, the exit status main() returns, what it wrote to stderr, its time and the process's peak RSS after it.
//   node tools/adversarial/run-batch.mjs CASES.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../cli/main.ts');
const [casesFile, outFile] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
const results = [];
const realStderr = process.stderr.write.bind(process.stderr);
const realStdout = process.stdout.write.bind(process.stdout);
for (const c of cases) {
  let stderr = '';
  let stdout = '';
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  process.stdout.write = (chunk) => ((stdout += String(chunk).slice(0, 10_000)), true);
  const t0 = performance.now();
  let status;
  try {
    status = await main(c.argv);
  } catch (e) {
    status = -1;
    stderr += `uncaught: ${e && e.stack ? e.stack : String(e)}`;
  }
  const ms = performance.now() - t0;
  process.stderr.write = realStderr;
  process.stdout.write = realStdout;
  results.push({ key: `${c.format}/${c.name}`, status, stderr, stdout: stdout.slice(0, 2000), ms, rssMiB: process.resourceUsage().maxRSS / 1024 });
}
writeFileSync(outFile, JSON.stringify(results));
process.exit(0);
