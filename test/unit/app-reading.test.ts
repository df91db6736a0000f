import { describe, expect, it } from 'vitest';
import { readResults, trend } from '../../src/app/results/reading.js';
import { emptyMetrics, type ResultMetrics, type SaeEval } from '../../src/formats/index.js';

/** Two layers × two adapters with hand-picked numbers, so every sentence can be checked by hand. */
function metrics(): ResultMetrics {
  const m = emptyMetrics();
  m.layers = [1, 3];
  m.adapters = [
    { name: 'r8', rank: 8, alpha: 16, targets: ['q_proj'], layers: [1, 3], modules: 2 },
    { name: 'r4', rank: 4, alpha: 8, targets: ['q_proj'], layers: [1, 3], modules: 2 },
  ];
  const norm = { 'r4/1': 0.5, 'r8/1': 1, 'r4/3': 2, 'r8/3': 4 } as Record<string, number>;
  const l0 = { 'r4/1': 20, 'r8/1': 30, 'r4/3': 25, 'r8/3': 18 } as Record<string, number>;
  const sae = (fvu: number, meanL0: number): SaeEval => ({ mse: 1, fvu, nmseUncentered: fvu, meanL0, nDead: 0, width: 512, density: { edges: [0, 1], counts: [512], scale: 'log10' }, fvuInterval: null });
  for (const layer of [1, 3]) {
    for (const adapter of ['r4', 'r8']) {
      const k = `${adapter}/${layer}`;
      m.deltaNorms.push({ layer, adapter, meanDeltaNorm: norm[k], meanBaseNorm: 10, tokens: 100 });
      m.reconstruction.push({ layer, adapter, deltaSae: sae(0.2 + norm[k] / 100, l0[k]), pretrainedDirect: sae(0.9, 40), pretrainedDiff: null });
      const cos = (c: number) => ({ meanMaxCos: c, interval: null, fracAbove: { '0.5': 0, '0.7': 0, '0.9': 0 }, histogram: { edges: [0, 1], counts: [1], scale: 'linear' as const } });
      m.alignment.push({ layer, adapter, observed: cos(layer === 1 ? 0.3 : 0.35), ceiling: cos(0.8), floor: cos(0.12), randomLora: null });
    }
  }
  m.cka = [{ layer: 1, labels: ['r4', 'r8'], matrix: [[1, 0.75], [0.75, 1]] }, { layer: 3, labels: ['r4', 'r8'], matrix: [[1, 0.5], [0.5, 1]] }];
  return m;
}

describe('the reading above the panels', () => {
  it('names the trend of a series: grows, shrinks, flat or neither', () => {
    expect(trend([1, 2, 2, 3])).toBe('grows');
    expect(trend([3, 1])).toBe('shrinks');
    expect(trend([16, 16, 16])).toBe('is flat');
    expect(trend([1, 3, 2])).toBe('does not change monotonically');
  });

  it('states each panel family with the numbers of the results, ordered by rank', () => {
    const lines = Object.fromEntries(readResults(metrics()).map((l) => [l.key, l.text]));
    expect(Object.keys(lines)).toEqual(['delta-norms', 'reconstruction', 'sparsity', 'alignment', 'cka']);
    expect(lines['delta-norms']).toBe("Each adapter moves the residual stream by 0.5 (layer 1, r4) to 4 (layer 3, r8) per token, 5%–40% of the base model's norm; it grows with rank at every layer, and grows with depth for every adapter.");
    expect(lines.reconstruction).toBe("The delta SAEs leave 21%–24% of the held-out delta's variance unexplained; the pretrained dictionary, applied to the deltas directly, leaves 90%.");
    expect(lines.sparsity).toBe('A held-out token activates 18 (layer 3, r8) to 30 (layer 1, r8) of the 512 latents of its delta SAE; this L0 grows with rank at layer 1, shrinks with rank at layer 3, and 1 of 2 adapters grow with depth.');
    expect(lines.alignment).toBe("A delta SAE latent's best cosine with the pretrained dictionary averages 0.3–0.35, against 0.8 for a second seed, 0.12 for random directions.");
    expect(lines.cka).toBe("Between two adapters, the deltas' linear CKA is 0.5–0.75 (1 = the same representation up to rotation and scale).");
  });

  it('says once that L0 is the same everywhere when it is (TopK: k by construction)', () => {
    const m = metrics();
    for (const r of m.reconstruction) r.deltaSae.meanL0 = 16;
    const sparsity = readResults(m).find((l) => l.key === 'sparsity')?.text;
    expect(sparsity).toBe('A held-out token activates 16 (every layer and adapter) of the 512 latents of its delta SAE; this L0 is flat with rank at every layer, and is flat with depth for every adapter.');
  });

  it('says nothing about what the results do not hold yet', () => {
    expect(readResults(emptyMetrics())).toEqual([]);
  });
});
