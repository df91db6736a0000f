import { crossDictionaryCosines, dictionaryCosines, directionCosines, type MatrixLike } from '../analysis/index.js';
import type { AcrossAdapters, LocalWrite } from '../formats/index.js';
import type { LocalWriteSum, RunManifest } from '../store/index.js';
import type { TrainedSae } from './experiment-train.js';

const MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
type ModuleKind = (typeof MODULES)[number];

function moduleKind(name: string): ModuleKind {
  const kind = MODULES.find((k) => name.endsWith(`.${k}`));
  if (!kind) throw new Error(`local write of an unknown module ${name}`);
  return kind;
}

/**
 * Each adapted module's mean local write ‖scaling·B·A·x‖ over the run's text tokens, from the per-shard sums in
 * the manifest (so a run paused and resumed adds up to the same numbers as one run straight through). Empty
 * when a completed shard predates these records: a partial sum would mislead.
 */
export function localWritesOf(m: RunManifest, skip: string | null): LocalWrite[] {
  if (m.shards.some((s) => !s.localWrites)) return [];
  const sums = new Map<string, LocalWriteSum>();
  for (const s of m.shards) {
    for (const w of s.localWrites!) {
      if (w.adapter === skip) continue;
      const key = `${w.adapter}|${w.module}`;
      const e = sums.get(key) ?? { ...w, sumNorm: 0, tokens: 0 };
      e.sumNorm += w.sumNorm;
      e.tokens += w.tokens;
      sums.set(key, e);
    }
  }
  const order = new Map(m.adapters.map((a, i) => [a.name, i]));
  return [...sums.values()]
    .map((e) => ({ adapter: e.adapter, layer: e.layer, module: moduleKind(e.module), meanNorm: e.tokens > 0 ? e.sumNorm / e.tokens : 0, tokens: e.tokens }))
    .sort((a, b) => order.get(a.adapter)! - order.get(b.adapter)! || a.layer - b.layer || MODULES.indexOf(a.module) - MODULES.indexOf(b.module));
}

/**
 * Per layer, the cosines between the adapters' mean deltas d̄ over text tokens (the lens's d̄: BOS and padding
 * excluded), from the store's running statistics; the dictionary matrix waits for the SAEs.
 */
export function directionCosinesOf(m: RunManifest, adapters: readonly string[]): AcrossAdapters[] {
  if (adapters.length === 0) return [];
  return m.layers.map((layer) => {
    const st = m.stats[String(layer)];
    return { layer, labels: [...adapters], directionCosine: directionCosines(adapters.map((a) => st.delta[a].mean)), dictionaryCosine: null, crossSeed: false };
  });
}

/**
 * Fills in each layer's dictionary matrix. Every adapter's SAE at a layer starts from the same initialisation
 * (the run's seed), so first-seed SAEs compared with each other agree by construction after a short training:
 * when every adapter has a second-seed SAE, row i is adapter i's first-seed SAE and column j adapter j's
 * second-seed one, so no compared pair shares an initialisation and the diagonal is the seed-to-seed ceiling.
 * Without second seeds (no ceiling control) the first-seed SAEs are compared, and `crossSeed` says so.
 */
export function withDictionaryCosines(across: readonly AcrossAdapters[], saes: readonly TrainedSae[]): AcrossAdapters[] {
  return across.map((a) => {
    const bySeed = a.labels.map((adapter) => {
      const own = saes.filter((s) => s.layer === a.layer && s.adapter === adapter).sort((x, y) => x.seed - y.seed);
      if (own.length === 0) throw new Error(`no delta SAE for ${adapter} at layer ${a.layer}`);
      return own.map((s): MatrixLike => ({ rows: s.sae.dSae, cols: s.sae.dIn, data: s.sae.W_dec }));
    });
    const crossSeed = bySeed.every((d) => d.length >= 2);
    const dictionaryCosine = crossSeed ? crossDictionaryCosines(bySeed.map((d) => d[0]), bySeed.map((d) => d[1])) : dictionaryCosines(bySeed.map((d) => d[0]));
    return { ...a, dictionaryCosine, crossSeed };
  });
}
