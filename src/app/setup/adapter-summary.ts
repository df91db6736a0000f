import type { AdapterSummary, LoraAdapter } from '../../formats/index.js';

/** What the setup list shows for a parsed adapter: rank, alpha, targeted module kinds, layers, module count. */
export function summarizeAdapter(a: LoraAdapter): AdapterSummary {
  return {
    name: a.name,
    rank: a.config.r,
    alpha: a.config.loraAlpha,
    targets: [...new Set(a.modules.map((m) => m.kind))],
    layers: [...new Set(a.modules.map((m) => m.layer))].sort((x, y) => x - y),
    modules: a.modules.length,
  };
}

/** "rank 8 (4–12 by pattern) · α 16 · rsLoRA" — the module-level ranks when patterns override the default. */
export function describeRanks(a: LoraAdapter): string {
  const ranks = [...new Set(a.modules.map((m) => m.r))].sort((x, y) => x - y);
  const span = ranks.length > 1 ? ` (${ranks[0]}–${ranks[ranks.length - 1]} by pattern)` : '';
  return `rank ${a.config.r}${span} · α ${a.config.loraAlpha}${a.config.useRslora ? ' · rsLoRA' : ''}`;
}

/** Compact layer list: "0–25" or "0, 2". */
export function describeLayers(layers: readonly number[]): string {
  if (layers.length === 0) return 'none';
  const contiguous = layers.every((l, i) => i === 0 || l === layers[i - 1] + 1);
  return contiguous && layers.length > 2 ? `${layers[0]}–${layers[layers.length - 1]}` : layers.join(', ');
}
