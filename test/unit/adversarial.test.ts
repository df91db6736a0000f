import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdversarialCase, generateCases } from '../../tools/adversarial/generate.js';

/**
 * Hostile and careless files through the real CLI: every case must be refused with exit status 2 and exactly
 * one stderr line naming the path given, no stack trace, without hanging and with bounded peak memory.
 * All cases run through the CLI's main() in one child process (CLI start-up costs seconds on a busy machine;
 * the child's peak RSS bounds every case in it); the cases most likely to hang or blow up memory, and one
 * of every format, also run as their own `node cli/deltascope.mjs` process, killed if still running after
 * HANG_MS, with that process's own peak RSS.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/deltascope.mjs');
const BATCH = path.join(ROOT, 'tools/adversarial/run-batch.mjs');
const RSS_HOOK = path.join(ROOT, 'tools/adversarial/report-rss.mjs');
const HANG_MS = 120_000;
const BATCH_HANG_MS = 1_200_000;
const MAX_RSS_MIB = 512;
const PARALLEL = 2;
const RISKY = /bomb|catastrophic|nested|1e9|1e12|overflow|header-1mb|huge|u64|20-digits/;

interface Outcome {
  status: number | null;
  stderr: string;
  ms: number;
  rssMiB: number;
}

function spawnNode(args: string[], env: Record<string, string>, limitMs: number): Promise<{ status: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 100_000) stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, ms: performance.now() - t0 });
    });
  });
}

async function runCase(c: AdversarialCase, rssFile: string): Promise<Outcome> {
  const r = await spawnNode(['--import', RSS_HOOK, CLI, ...c.argv], { DELTASCOPE_RSS_FILE: rssFile }, HANG_MS);
  let rssMiB = NaN;
  try {
    rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    rmSync(rssFile);
  } catch {
    // No report: the child was killed or died before exit handlers ran; the status check says which.
  }
  return { ...r, rssMiB };
}

let dir = '';
let cases: AdversarialCase[] = [];
const inProcess = new Map<string, Outcome>();
const separate = new Map<string, Outcome>();
const key = (c: AdversarialCase): string => `${c.format}/${c.name}`;

function summary(label: string, outcomes: Map<string, Outcome>): string {
  const all = [...outcomes];
  const slowest = [...all].sort((a, b) => b[1].ms - a[1].ms)[0];
  const biggest = [...all].sort((a, b) => b[1].rssMiB - a[1].rssMiB)[0];
  return `${label}: ${all.length} cases; max time ${slowest[1].ms.toFixed(0)} ms (${slowest[0]}); max RSS ${biggest[1].rssMiB.toFixed(0)} MiB (${biggest[0]})`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'deltascope-adversarial-'));
  cases = await generateCases(path.join(dir, 'cases'));
  const casesFile = path.join(dir, 'cases.json');
  const resultsFile = path.join(dir, 'results.json');
  writeFileSync(casesFile, JSON.stringify(cases));
  const batch = await spawnNode([BATCH, casesFile, resultsFile], {}, BATCH_HANG_MS);
  if (batch.status !== 0) throw new Error(`batch runner exited ${batch.status}: ${batch.stderr.slice(0, 2000)}`);
  for (const r of JSON.parse(readFileSync(resultsFile, 'utf8')) as (Outcome & { key: string })[]) inProcess.set(r.key, r);

  const seen = new Set<string>();
  const subset = cases.filter((c) => RISKY.test(c.name) || (!seen.has(c.format) && seen.add(c.format)));
  const queue = [...subset];
  const worker = async (w: number): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) separate.set(key(c), await runCase(c, path.join(dir, `rss-${w}`)));
  };
  await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));
  console.log(summary('adversarial, in one process', inProcess));
  console.log(summary('adversarial, one process each', separate));
}, 1_800_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(c: AdversarialCase, o: Outcome | undefined): string[] {
  if (!o) return ['did not run'];
  const lines = o.stderr.split('\n').filter((l) => l.trim() !== '');
  const problems: string[] = [];
  if (o.status !== 2) problems.push(`exit ${o.status}`);
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines`);
  if (!o.stderr.includes(c.given)) problems.push('does not name the given path');
  if (/^\s+at /m.test(o.stderr) || /\b(Type|Range|Reference|Syntax)Error\b|uncaught:/.test(o.stderr)) problems.push('stack trace or JS error');
  if (!(o.rssMiB < MAX_RSS_MIB)) problems.push(`peak RSS ${o.rssMiB.toFixed(0)} MiB`);
  return problems.length > 0 ? [`${key(c)}: ${problems.join(', ')} — ${o.stderr.slice(0, 300).trim()}`] : [];
}

describe('adversarial inputs through the CLI', () => {
  it('covers every format with at least 80 cases', () => {
    const formats = new Set(cases.map((c) => c.format));
    expect(cases.length).toBeGreaterThanOrEqual(80);
    for (const f of ['safetensors', 'shard-index', 'config', 'adapter', 'npy', 'npz', 'gemma-scope', 'saelens', 'bundle', 'training-data']) expect(formats).toContain(f);
  });

  // The table is only known after generation, so each test walks it and reports every failing case at once.
  it('refuses each (in one process) with exit 2, one line naming the given path, no stack, bounded memory', () => {
    expect(cases.flatMap((c) => problemsOf(c, inProcess.get(key(c))))).toEqual([]);
  });

  it('refuses the risky cases and one of each format as separate CLI processes, none hanging or over the memory bound', () => {
    expect(separate.size).toBeGreaterThanOrEqual(20);
    expect([...separate.keys()].flatMap((k) => problemsOf(cases.find((c) => key(c) === k)!, separate.get(k)))).toEqual([]);
  });
});
