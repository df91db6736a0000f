import { describe, expect, it } from 'vitest';
import { renderFigures } from '../../src/app/figures.js';
import { readBundle, writeBundle } from '../../src/formats/bundle.js';
import { metricsTables } from '../../src/formats/bundle-csv.js';
import { BUNDLE_VERSION, emptyMetrics, type AcrossAdapters, type LocalWrite, type ResultMetrics } from '../../src/formats/bundle-schema.js';
import { fixtureNpy } from '../ref/analysis-load.js';
import { cosineRef, meanDeltaRef } from '../ref/across-adapters.js';
import { readOlderBundle, TEST_MANIFEST } from '../helpers/bundle-fixtures.js';

const NAMES = ['r4', 'r8'];
const MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

/** Layer-1 direction cosines of r4 and r8 from the fixture deltas (float64), and a directed dictionary matrix. */
async function acrossEntry(): Promise<AcrossAdapters> {
  const means = await Promise.all(NAMES.map(async (n) => meanDeltaRef((await fixtureNpy(`reference/adapters/${n}/delta.npy`)).data.subarray(96 * 64, 2 * 96 * 64), 4, 24, 64)));
  const c = cosineRef(means[0], means[1]);
  return { layer: 1, labels: NAMES, directionCosine: [[1, c], [c, 1]], dictionaryCosine: [[1, 0.543266], [0.589248, 1]], crossSeed: false };
}

function localWrites(): LocalWrite[] {
  return NAMES.flatMap((adapter, a) => [0, 1].flatMap((layer) => MODULES.map((module, k) => ({ adapter, layer, module, meanNorm: 0.1 * (a + 1) + 0.01 * layer + 0.001 * k, tokens: 92 }))));
}

describe('local writes and across-adapter matrices in the result bundle', () => {
  it('round-trip (metrics.json), write CSV rows at full precision and figures whose marks carry the numbers', async () => {
    const across = await acrossEntry();
    const deltaNorms = [{ layer: 1, adapter: 'r8', meanDeltaNorm: 3.8108, meanBaseNorm: 50, tokens: 92 }];
    const metrics: ResultMetrics = { ...emptyMetrics(), layers: [1], deltaNorms, localWrites: localWrites(), acrossAdapters: [across] };
    const b = await readBundle(await writeBundle({ manifest: TEST_MANIFEST, metrics, saes: [], figures: renderFigures(metrics) }), 'b.zip');
    expect(b.manifest.version).toBe(BUNDLE_VERSION);
    expect(b.metrics.localWrites).toEqual(metrics.localWrites);
    expect(b.metrics.acrossAdapters).toEqual([across]);

    const t = metricsTables(b.metrics);
    expect(t.local_writes.columns).toEqual(['adapter', 'layer', 'module', 'mean_local_norm', 'tokens']);
    expect(t.local_writes.rows).toHaveLength(28);
    expect(t.local_writes.rows[8]).toEqual(['r4', 1, 'k_proj', 0.1 + 0.01 + 0.001, 92]);
    expect(t.across_adapters.rows).toEqual([
      [1, 'r4', 'r4', 1, 1, 0],
      [1, 'r4', 'r8', across.directionCosine[0][1], 0.543266, 0],
      [1, 'r8', 'r4', across.directionCosine[1][0], 0.589248, 0],
      [1, 'r8', 'r8', 1, 1, 0],
    ]);

    const lw = b.figures.get('local-writes-r8') ?? '';
    for (const w of metrics.localWrites.filter((x) => x.adapter === 'r8')) expect(lw).toContain(`data-cell="${w.layer}/${w.module.replace('_proj', '')}" data-value="${w.meanNorm}"`);
    expect(lw).toContain('data-bar="resid/1" data-value="3.8108"');
    expect(lw).toContain('data-bar="resid/0" data-value=""');
    const ac = b.figures.get('across-adapters-layer-1') ?? '';
    const [direction, dictionary] = ac.split('data-matrix="dictionary"');
    expect(direction).toContain(`data-cell="r4/r8" data-value="${across.directionCosine[0][1]}"`);
    expect(dictionary).toContain('data-cell="r8/r4" data-value="0.589248"');
    expect(dictionary).toContain('data-cell="r4/r8" data-value="0.543266"');
  });

  it('reads a version-2 bundle (before these views) with both empty', async () => {
    const b = await readOlderBundle(2, ['localWrites', 'acrossAdapters']);
    expect(b.manifest.version).toBe(2);
    expect([b.metrics.localWrites, b.metrics.acrossAdapters]).toEqual([[], []]);
  });

  it('refuses matrices that are not labels × labels, unknown modules and more than 64 adapters', async () => {
    const across = await acrossEntry();
    const write = (m: Partial<ResultMetrics>) => writeBundle({ manifest: TEST_MANIFEST, metrics: { ...emptyMetrics(), ...m }, saes: [], figures: {} });
    await expect(write({ acrossAdapters: [{ ...across, directionCosine: [[1, 0]] }] })).rejects.toThrow();
    await expect(write({ acrossAdapters: [{ ...across, dictionaryCosine: [[1], [0, 1]] }] })).rejects.toThrow();
    const many = Array.from({ length: 65 }, (_, i) => `a${i}`);
    await expect(write({ acrossAdapters: [{ layer: 0, labels: many, directionCosine: many.map(() => many.map(() => 0)), dictionaryCosine: null, crossSeed: false }] })).rejects.toThrow();
    await expect(write({ localWrites: [{ ...localWrites()[0], module: 'foo_proj' as 'q_proj' }] })).rejects.toThrow();
  });
});
