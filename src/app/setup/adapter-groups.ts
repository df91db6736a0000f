import { basename, dirname } from './dropped-files.js';

const ADAPTER_FILES = ['adapter_config.json', 'adapter_model.safetensors', 'adapter_model.bin'];

export interface AdapterGroup<T> {
  /** Folder name (the adapter's name in results), made unique among the others. */
  name: string;
  config: T | null;
  weights: T | null;
  /** A PyTorch pickle found instead of safetensors. */
  pickle: T | null;
}

/**
 * Splits a drop into adapters: every folder holding adapter_config.json or adapter weights is one adapter,
 * named after the folder; loose files form one adapter named `fallbackName`. Other files are ignored.
 */
export function groupAdapters<T extends { path: string }>(files: T[], taken: readonly string[] = [], fallbackName = 'adapter'): AdapterGroup<T>[] {
  const byDir = new Map<string, T[]>();
  for (const f of files) {
    if (!ADAPTER_FILES.includes(basename(f.path))) continue;
    const d = dirname(f.path);
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  const used = new Set(taken);
  const groups: AdapterGroup<T>[] = [];
  for (const [dir, fs] of [...byDir].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))) {
    const base = (dir ? basename(dir) : fallbackName).replace(/[^\w.-]/g, '_') || fallbackName;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    const find = (n: string) => fs.find((f) => basename(f.path) === n) ?? null;
    groups.push({ name, config: find('adapter_config.json'), weights: find('adapter_model.safetensors'), pickle: find('adapter_model.bin') });
  }
  return groups;
}
