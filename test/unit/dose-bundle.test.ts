import { describe, expect, it } from 'vitest';
import { renderFigures } from '../../src/app/figures.js';
import { readBundle, writeBundle } from '../../src/formats/bundle.js';
import { metricsTables } from '../../src/formats/bundle-csv.js';
import { emptyMetrics, type Dose, type ResultMetrics } from '../../src/formats/bundle-schema.js';
import { readOlderBundle, TEST_MANIFEST } from '../helpers/bundle-fixtures.js';

const ALPHAS = [0, 0.25, 0.5, 1, 1.5, 2];

/** A dose row written out by hand: one proportional latent and one that switches on past α = 1. */
const DOSE: Dose = {
  layer: 2,
  adapter: 'r8',
  alphas: ALPHAS,
  sequences: 3,
  tokens: 69,
  meanDeltaNorm: [0, 0.125, 0.25, 0.5, 0.75, 1],
  latents: [
    { latent: 17, means: [0.5, 0.75, 1, 1.5, 2, 2.5], slope: 1, linearity: 0, onset: 0.5 },
    { latent: 3, means: [0, 0, 0, 0, 1, 2], slope: 5.5 / 7.5625, linearity: (5 - 30.25 / 7.5625) / 5, onset: 1.5 },
  ],
  responsive: 2,
  linearity: { edges: Array.from({ length: 11 }, (_, i) => i / 10), counts: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0], scale: 'linear' },
};

describe('dose-response in the result bundle', () => {
  it('round-trips metrics.dose, writes its three CSV tables at full precision and its figures', async () => {
    const metrics: ResultMetrics = { ...emptyMetrics(), layers: [2], dose: [DOSE] };
    const b = await readBundle(await writeBundle({ manifest: TEST_MANIFEST, metrics, saes: [], figures: renderFigures(metrics) }), 'b.zip');
    expect(b.manifest.version).toBe(3);
    expect(b.metrics.dose).toEqual([DOSE]);
    const t = metricsTables(b.metrics);
    expect(t.dose_norms.rows).toEqual(ALPHAS.map((a, i) => [2, 'r8', a, DOSE.meanDeltaNorm[i], 69, 3]));
    expect(t.dose_latents.rows).toHaveLength(2 * ALPHAS.length);
    expect(t.dose_latents.rows[ALPHAS.length + 4]).toEqual([2, 'r8', 3, 1.5, 1, 5.5 / 7.5625, (5 - 30.25 / 7.5625) / 5, 1.5]);
    expect(t.dose_linearity.rows[2]).toEqual([2, 'r8', 2, 0.2, 0.3, 1]);
    const norms = b.figures.get('dose-norms-layer-2') ?? '';
    for (const [i, a] of ALPHAS.entries()) expect(norms).toContain(`data-x="${a}" data-y="${DOSE.meanDeltaNorm[i]}"`);
    const latents = b.figures.get('dose-latents-layer-2-r8') ?? '';
    expect(latents).toContain('data-series="latent-3"');
    expect(latents).toContain(`data-x="2" data-y="2"`);
    expect(b.figures.get('dose-linearity-layer-2-r8')).toContain('<svg');
  });

  it('reads a version-2 bundle (before dose-response) with an empty dose', async () => {
    const b = await readOlderBundle(2, ['dose']);
    expect(b.manifest.version).toBe(2);
    expect(b.metrics.dose).toEqual([]);
    expect(Object.keys(renderFigures(b.metrics)).filter((k) => k.startsWith('dose'))).toEqual([]);
  });

  it('refuses a dose row whose latents do not have one mean per α', async () => {
    const bad: ResultMetrics = { ...emptyMetrics(), dose: [{ ...DOSE, latents: [{ ...DOSE.latents[0], means: [1, 2] }] }] };
    await expect(writeBundle({ manifest: TEST_MANIFEST, metrics: bad, saes: [], figures: {} })).rejects.toThrow();
  });
});
