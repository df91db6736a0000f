import { describe, expect, it } from 'vitest';
import { acrossLayers, acrossMatrix } from '../../src/app/charts/across-adapters-layout.js';
import { layerBarsLayout, localWriteAdapters, localWritesMatrix, residDeltaByLayer } from '../../src/app/charts/local-writes-layout.js';
import { matrixLayout } from '../../src/app/charts/matrix-layout.js';
import { emptyMetrics, type LocalWrite, type ResultMetrics } from '../../src/formats/index.js';

const MARGIN = { top: 10, right: 10, bottom: 46, left: 64 };

function metrics(): ResultMetrics {
  const localWrites: LocalWrite[] = [
    { adapter: 'r8', layer: 1, module: 'down_proj', meanNorm: 0.5, tokens: 92 },
    { adapter: 'r8', layer: 0, module: 'q_proj', meanNorm: 2, tokens: 92 },
    { adapter: 'r8', layer: 0, module: 'down_proj', meanNorm: 1, tokens: 92 },
    { adapter: 'p', layer: 2, module: 'v_proj', meanNorm: 3, tokens: 92 },
  ];
  const deltaNorms = [{ layer: 1, adapter: 'r8', meanDeltaNorm: 4, meanBaseNorm: 40, tokens: 92 }];
  const acrossAdapters = [
    { layer: 2, labels: ['a', 'b'], directionCosine: [[1, -0.25], [-0.25, 1]], dictionaryCosine: null, crossSeed: false },
    { layer: 1, labels: ['a', 'b'], directionCosine: [[1, 0.5], [0.5, 1]], dictionaryCosine: [[1, 0.3], [0.4, 1]], crossSeed: false },
  ];
  return { ...emptyMetrics(), localWrites, deltaNorms, acrossAdapters };
}

describe('local writes and across-adapters layouts', () => {
  it('lays out one adapter’s local writes as layers × modules in module order, empty where a module is not adapted', () => {
    const m = metrics();
    expect(localWriteAdapters(m)).toEqual(['r8', 'p']);
    expect(localWritesMatrix(m, 'r8')).toEqual({ rows: ['0', '1'], cols: ['q', 'down'], values: [[2, 1], [null, 0.5]], domain: [0, 2], scheme: 'sequential' });
    expect(localWritesMatrix(m, 'p')).toEqual({ rows: ['2'], cols: ['v'], values: [[3]], domain: [0, 3], scheme: 'sequential' });
    expect(residDeltaByLayer(m, 'r8', [0, 1])).toEqual([null, 4]);
  });

  it('puts the resid_post bars on the matrix’s layer bands, zero-based, with nothing drawn for a layer that is not hooked', () => {
    const height = 200;
    const matrix = matrixLayout({ rows: ['0', '1', '2'], cols: ['q_proj'], values: [[1], [2], [3]], scheme: 'sequential' }, 300, height, MARGIN);
    const bars = layerBarsLayout([null, 2, 5], 120, height, { ...MARGIN, left: 16, right: 16 });
    for (const b of bars.bars) {
      const cell = matrix.cells.find((c) => c.row === b.row)!;
      expect(b.y + b.h / 2).toBeCloseTo(cell.y + cell.h / 2, 9);
    }
    expect(bars.innerW).toBe(88);
    expect(bars.bars.map((b) => b.w)).toEqual([0, (2 / 5) * 88, 88]);
    expect(bars.xTicks[0]).toEqual({ offset: 0, label: '0' });
  });

  it('gives both adapter × adapter matrices per layer: direction on a symmetric ±1 scale, dictionary on [0, 1], not yet computed as empty cells', () => {
    const m = metrics();
    expect(acrossLayers(m)).toEqual([1, 2]);
    expect(acrossMatrix(m, 2, 'direction')).toEqual({ rows: ['a', 'b'], cols: ['a', 'b'], values: [[1, -0.25], [-0.25, 1]], domain: [-1, 1], scheme: 'diverging' });
    expect(acrossMatrix(m, 2, 'dictionary')?.values).toEqual([[null, null], [null, null]]);
    expect(acrossMatrix(m, 1, 'dictionary')).toEqual({ rows: ['a', 'b'], cols: ['a', 'b'], values: [[1, 0.3], [0.4, 1]], domain: [0, 1], scheme: 'sequential' });
    expect(acrossMatrix(m, 3, 'direction')).toBeNull();
  });
});
