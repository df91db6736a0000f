import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { Gpu } from './gpu.js';

/** One configuration of a kernel (its override constants, usually); `id` names it in caches and logs. */
export interface TuneCandidate {
  readonly id: string;
}

/** Where tuned choices outlive the page (IndexedDB where there is one), so each adapter is tuned once. */
export interface TuneStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface TuneOptions {
  /** Timed runs per candidate after its warm-up run (which also compiles it); the minimum counts. */
  rounds?: number;
}

const inMemory = new WeakMap<Gpu, Map<string, Promise<string>>>();
let persistent: TuneStore | null | undefined;

function idbStore(): TuneStore | null {
  if (typeof indexedDB === 'undefined') return null;
  let db: UseStore | null = null;
  const store = (): UseStore => (db ??= createStore('deltascope-autotune', 'choices'));
  return {
    get: (key) => get<string>(key, store()),
    set: (key, value) => set(key, value, store()),
  };
}

/** Replaces where choices persist (null: this session only; undefined: back to the default, IndexedDB when the runtime has it). */
export function setTuneStore(store: TuneStore | null | undefined): void {
  persistent = store;
}

function tuneStore(): TuneStore | null {
  if (persistent === undefined) persistent = idbStore();
  return persistent;
}

/** Names the adapter a choice was measured on: a different GPU or driver tunes again. */
export function adapterKey(gpu: Gpu): string {
  const i = gpu.info;
  return [i.vendor, i.architecture, i.description].join('|');
}

/** Rounds a size up to a power of two, so that problems of one shape class share a tuned choice. */
export function sizeClass(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

async function timeOnce(gpu: Gpu, run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  await gpu.sync();
  return performance.now() - t0;
}

async function measure<C extends TuneCandidate>(gpu: Gpu, candidates: readonly C[], run: (c: C) => Promise<void>, rounds: number): Promise<string> {
  // Work recorded before tuning must not be timed as the first candidate's.
  await gpu.sync();
  let best: { id: string; ms: number } | null = null;
  for (const c of candidates) {
    let ms = Infinity;
    try {
      await timeOnce(gpu, () => run(c));
      for (let r = 0; r < rounds; r++) ms = Math.min(ms, await timeOnce(gpu, () => run(c)));
    } catch {
      // A configuration this adapter cannot run (workgroup memory or size limits) is simply not a choice.
      continue;
    }
    if (!best || ms < best.ms) best = { id: c.id, ms };
  }
  if (!best) throw new Error('autotune: no candidate ran on this adapter');
  return best.id;
}

/**
 * The fastest of `candidates` for `problem` on this adapter, measured once per (adapter, problem) by running each
 * candidate through `run` (which must write only scratch buffers) and cached: in memory for this device, and in the
 * tune store across sessions. The first candidate is the fallback a failed measurement leaves.
 */
export async function autotune<C extends TuneCandidate>(
  gpu: Gpu,
  problem: string,
  candidates: readonly C[],
  run: (c: C) => Promise<void>,
  opts: TuneOptions = {},
): Promise<C> {
  if (candidates.length === 0) throw new Error('autotune: no candidates');
  let cache = inMemory.get(gpu);
  if (!cache) inMemory.set(gpu, (cache = new Map()));
  const key = `${adapterKey(gpu)}|${problem}|${candidates.map((c) => c.id).join(',')}`;
  let choice = cache.get(key);
  if (!choice) {
    choice = (async () => {
      const store = tuneStore();
      const saved = await store?.get(key).catch(() => undefined);
      if (saved && candidates.some((c) => c.id === saved)) return saved;
      const id = await measure(gpu, candidates, run, opts.rounds ?? 2);
      await store?.set(key, id).catch(() => undefined);
      return id;
    })();
    cache.set(key, choice);
    choice.catch(() => cache.delete(key));
  }
  const id = await choice;
  return candidates.find((c) => c.id === id) ?? candidates[0];
}
