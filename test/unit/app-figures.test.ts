import { describe, expect, it } from 'vitest';
import { renderFigures } from '../../src/app/figures.js';
import { fixtureMetrics } from './bundle-sample.js';

describe('bundle figures', () => {
  it('renders each panel as standalone SVG whose cells carry the exact result values', async () => {
    const m = await fixtureMetrics();
    const figs = renderFigures(m);
    expect(Object.keys(figs)).toEqual(expect.arrayContaining(['delta-norms', 'delta-norms-relative', 'reconstruction-layer-1', 'alignment', 'cosine-layer-1-r16', 'principal-angles-layer-1-k8', 'density-l0']));
    const svg = figs['delta-norms'];
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const d of m.deltaNorms) expect(svg).toContain(`data-cell="${d.layer}/${d.adapter}" data-value="${d.meanDeltaNorm}"`);
    expect(figs['reconstruction-layer-1']).toContain(`data-value="${m.reconstruction[0].deltaSae.fvu}"`);
    expect(svg).not.toContain('<script');
  });
});
