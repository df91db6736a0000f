import { describe, expect, it } from 'vitest';
import { emptyMetrics, parseNpy } from '../../src/formats/index.js';
import { alignmentMatrix, cosineHistograms } from '../../src/app/charts/alignment-layout.js';
import { angleSeries } from '../../src/app/charts/angles-layout.js';
import { barsLayout } from '../../src/app/charts/bars-layout.js';
import { ckaMatrix } from '../../src/app/charts/cka-layout.js';
import { deltaNormMatrix } from '../../src/app/charts/delta-norm-layout.js';
import { densityHistograms, l0Series } from '../../src/app/charts/density-layout.js';
import { histogramLayout } from '../../src/app/charts/histogram-layout.js';
import { linesLayout } from '../../src/app/charts/lines-layout.js';
import { matrixLayout } from '../../src/app/charts/matrix-layout.js';
import { curveSeries, reconstructionBars } from '../../src/app/charts/reconstruction-layout.js';
import { spectrumSeries, weightMatrix } from '../../src/app/charts/weight-space-layout.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { fixtureMetrics } from './bundle-sample.js';

const M = { top: 10, right: 10, bottom: 40, left: 50 };

describe('matrix layout', () => {
  it('places the fixture delta-norm heatmap (5 adapters × 4 layers) cell by cell', async () => {
    const npy = parseNpy(await fixtureBytes('reference/delta_norm_heatmap.npy'), 'delta_norm_heatmap.npy');
    const [rows, cols] = npy.shape;
    const values = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => Number(npy.data[r * cols + c])));
    const L = matrixLayout({ rows: ['r4', 'r8', 'r16', 'r32', 'r8-patterns'].slice(0, rows), cols: ['0', '1', '2', '3'].slice(0, cols), values, scheme: 'sequential' }, 400, 300, M);
    expect(L.cells).toHaveLength(rows * cols);
    expect(L.cells[1].value).toBe(values[0][1]);
    expect(L.cells[1].x).toBeGreaterThan(L.cells[0].x);
    expect(L.cells[cols].y).toBeGreaterThan(L.cells[0].y);
    expect(new Set(L.cells.map((c) => c.fill)).size).toBeGreaterThan(rows);
    expect(L.xTicks.map((t) => t.label)).toEqual(['0', '1', '2', '3'].slice(0, cols));
  });

  it('draws a null cell as not yet computed and keeps a diverging domain symmetric', () => {
    const L = matrixLayout({ rows: ['a'], cols: ['x', 'y'], values: [[-1, null]], scheme: 'diverging' }, 300, 200, M);
    expect(L.cells[1].value).toBeNull();
    expect(L.cells[1].text).toBe('');
    expect(L.legend.ticks.map((t) => t.label)).toContain('1');
  });
});

describe('lines, bars and histogram layouts', () => {
  it('maps points into the inner box and skips non-positive values on a log axis', () => {
    const L = linesLayout([{ key: 'a', label: 'a', color: '#000', points: [{ x: 0, y: 1 }, { x: 10, y: 0 }, { x: 20, y: 100 }], dots: true }], 300, 200, M, { yLog: true });
    expect(L.paths[0].dots).toHaveLength(2);
    expect(L.paths[0].dots[0].cx).toBe(0);
    expect(L.paths[0].dots[1].cx).toBe(L.innerW);
    expect(L.paths[0].dots[0].cy).toBeGreaterThan(L.paths[0].dots[1].cy);
  });

  it('puts ticks only on whole numbers when x holds indices', () => {
    const L = linesLayout([{ key: 'a', label: 'a', color: '#000', points: [1, 2, 3, 4].map((x) => ({ x, y: x })) }], 800, 200, M);
    expect(L.xTicks.map((t) => t.label)).toEqual(['1', '2', '3', '4']);
  });

  it('grows bars up from zero with their interval as a whisker', () => {
    const L = barsLayout({ groups: ['r4'], series: [{ key: 's', label: 's', color: '#000' }], values: [[{ value: 0.5, interval: [0.4, 0.6] }]] }, 300, 200, M);
    expect(L.bars[0].y + L.bars[0].h).toBeCloseTo(L.zeroY);
    expect(L.bars[0].whisker!.y0).toBeGreaterThan(L.bars[0].whisker!.y1);
  });

  it('normalises pre-binned counts to fractions', () => {
    const L = histogramLayout([{ key: 'h', label: 'h', color: '#000', style: 'bars', histogram: { edges: [0, 0.5, 1], counts: [1, 3], scale: 'linear' } }], 300, 200, M);
    expect(L.series[0].bars.map((b) => b.fraction)).toEqual([0.25, 0.75]);
    expect(L.series[0].step.startsWith('M0,')).toBe(true);
  });
});

describe('panel data from results', () => {
  it('builds the delta-norm matrix from the fixture delta norms, absolute and relative', async () => {
    const m = await fixtureMetrics();
    const norms = await fixtureJson<{ mean_token_l2_delta_excluding_pos0: number[][] }>('reference/delta_norms.json');
    const abs = deltaNormMatrix(m, 'absolute');
    expect(abs.rows).toEqual(['0', '1', '2', '3']);
    expect(abs.cols).toEqual(['r4', 'r8', 'r16', 'r32', 'r8-patterns']);
    expect(abs.values[2][3]).toBe(norms.mean_token_l2_delta_excluding_pos0[3][2]);
    expect(deltaNormMatrix(m, 'relative').values[2][3]).toBeCloseTo(norms.mean_token_l2_delta_excluding_pos0[3][2] / 10, 12);
  });

  it('orders adapters by rank once summaries are known', async () => {
    const m = await fixtureMetrics();
    m.adapters = [32, 4].map((rank) => ({ name: `r${rank}`, rank, alpha: 2 * rank, targets: ['q_proj'], layers: [0], modules: 1 }));
    expect(deltaNormMatrix(m, 'absolute').cols.slice(0, 2)).toEqual(['r4', 'r32']);
    expect(l0Series(m)[0].points).toEqual([{ x: NaN, y: 35.125 }]);
  });

  it('gives reconstruction bars, alignment cells, cosine histograms and principal angles from the results', async () => {
    const m = await fixtureMetrics();
    const bars = reconstructionBars(m, 1);
    expect(bars.groups).toEqual(['r16']);
    expect(bars.values[0][0]!.value).toBeCloseTo(0.2565607671628079, 15);
    expect(bars.values[0][2]).toBeNull();
    expect(alignmentMatrix(m).values[1][2]).toBeCloseTo(0.5432658725045258, 15);
    expect(cosineHistograms(m.alignment[0]).map((h) => h.key)).toEqual(['observed', 'floor']);
    const angles = angleSeries(m, 1, 8)[0].points;
    expect(angles[0].y).toBeCloseTo((0.6273416823065991 * 180) / Math.PI, 10);
    expect(densityHistograms(m, 1, 'r16').map((h) => h.style)).toEqual(['bars', 'step']);
    expect(densityHistograms(m, 0, 'r16')).toEqual([]);
  });

  it('lays out training curves, CKA and weight space', () => {
    const m = emptyMetrics();
    m.training = [1, 2].map((seed) => ({ layer: 0, adapter: 'r8', seed, points: [{ step: 0, loss: 2, mse: 1.5, l0: 9 }], heldOut: [{ step: 0, fvu: 0.9 }] }));
    const s = curveSeries(m, 0, 'fvu');
    expect(s.map((x) => x.dashed)).toEqual([false, true]);
    expect(s[0].points).toEqual([{ x: 0, y: 0.9 }]);
    m.cka = [{ layer: 0, labels: ['a', 'b'], matrix: [[1, 0.3], [0.3, 1]] }];
    expect(ckaMatrix(m, 0)!.values[0][1]).toBe(0.3);
    expect(ckaMatrix(m, 5)).toBeNull();
    m.weightSpace = [{ adapter: 'r8', layer: 2, module: 'v_proj', rank: 8, scaling: 2, frobenius: 3.5, relative: 0.1, singularValues: [2, 1] }];
    const w = weightMatrix(m, 'r8', 'frobenius');
    expect(w.rows).toEqual(['2']);
    expect(w.values[0]).toEqual([null, null, 3.5, null, null, null, null]);
    expect(weightMatrix(m, 'r8', 'relative').values[0][2]).toBe(0.1);
    expect(spectrumSeries(m, 'r8', 2)[0].points).toEqual([{ x: 1, y: 2 }, { x: 2, y: 1 }]);
  });
});
