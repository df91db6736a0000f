/** Page side of bench/run-bench.mjs: runs bench/<name>.bench.ts (?bench=name) and reports each line. */

interface BenchModule {
  run(log: (line: string) => void): Promise<void>;
}

declare global {
  interface Window {
    benchDone?: { ok: boolean; error?: string };
  }
}

const pre = document.getElementById('log');
const log = (line: string): void => {
  console.log(`[bench] ${line}`);
  if (pre) pre.textContent += `${line}\n`;
};

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  matmul: () => import('./matmul.bench.js'),
  'matmul-variants': () => import('./matmul-variants.bench.js'),
  extract: () => import('./extract.bench.js'),
  dispatches: () => import('./dispatches.bench.js'),
  sae: () => import('./sae.bench.js'),
  'sae-profile': () => import('./sae-profile.bench.js'),
  'extract-matmul': () => import('./extract-matmul.bench.js'),
  'gpu-suite': () => import('./gpu-suite.bench.js'),
  attention: () => import('./attention.bench.js'),
};

async function main(): Promise<void> {
  const name = new URLSearchParams(location.search).get('bench') ?? '';
  const load = BENCHES[name];
  if (!load) throw new Error(`unknown bench "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
  await (await load()).run(log);
}

main().then(
  () => (window.benchDone = { ok: true }),
  (e: unknown) => (window.benchDone = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) }),
);

export {};
