import { describe, expect, it } from 'vitest';
import { lensLayout, tokenLabel } from '../../src/app/charts/lens-layout.js';
import { renderFigures } from '../../src/app/figures.js';
import { readBundle, writeBundle } from '../../src/formats/bundle.js';
import { metricsTables } from '../../src/formats/bundle-csv.js';
import { BUNDLE_VERSION, emptyMetrics, type Lens, type ResultMetrics } from '../../src/formats/bundle-schema.js';
import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import { fixtureBytes } from '../helpers/fixtures.js';
import { referenceLens, referenceMeanDelta, referenceOrder } from '../ref/analysis-lens.js';
import { readOlderBundle, TEST_MANIFEST } from '../helpers/bundle-fixtures.js';

const TOP = 5;

/** The fixtures' r8 lens at layer 1 from the float64 reference, as the bundle stores it. */
async function referenceLensEntry(): Promise<Lens> {
  const st = await SafetensorsFile.open(new Uint8Array(await fixtureBytes('model/model.safetensors')), 'model.safetensors');
  const embed = await st.readF32('model.embed_tokens.weight');
  const g = await st.readF32('model.norm.weight');
  const ids = parseNpy(new Uint8Array(await fixtureBytes('reference/input_ids.npy')), 'input_ids.npy').data as Int32Array;
  const delta = parseNpy(new Uint8Array(await fixtureBytes('reference/adapters/r8/delta.npy')), 'delta.npy').data as Float32Array;
  const n = ids.length * 64;
  const d = delta.subarray(n, 2 * n);
  const sides = (mean: Float64Array) => {
    const z = referenceLens(mean, embed, g, 1e-6).z;
    const pick = (side: 'promoted' | 'suppressed') => referenceOrder(z, side).slice(0, TOP).map((id) => ({ id, token: id === 0 ? null : `t${id}`, z: z[id] }));
    return { promoted: pick('promoted'), suppressed: pick('suppressed') };
  };
  return { layer: 1, adapter: 'r8', tokens: 92, ...sides(referenceMeanDelta(d, ids, 64, 2)), positions: [{ position: 0, tokens: 4, ...sides(referenceMeanDelta(d, ids, 64, 2, 0)) }] };
}

function metricsWith(lens: Lens[]): ResultMetrics {
  return { ...emptyMetrics(), layers: [1], lens };
}

describe('activation-difference lens in the result bundle', () => {
  it('round-trips the lens (metrics.json), writes metrics/lens.csv at full precision and a figure per (layer, adapter)', async () => {
    const lens = await referenceLensEntry();
    const metrics = metricsWith([lens]);
    const b = await readBundle(await writeBundle({ manifest: TEST_MANIFEST, metrics, saes: [], figures: renderFigures(metrics) }), 'b.zip');
    expect(b.manifest.version).toBe(BUNDLE_VERSION);
    expect(b.metrics.lens).toEqual([lens]);
    const csv = metricsTables(b.metrics).lens;
    expect(csv.columns).toEqual(['layer', 'adapter', 'position', 'tokens', 'side', 'rank', 'id', 'token', 'z']);
    expect(csv.rows).toHaveLength(2 * 2 * TOP);
    expect(csv.rows[0]).toEqual([1, 'r8', 'all', 92, 'promoted', 0, lens.promoted[0].id, lens.promoted[0].token, lens.promoted[0].z]);
    expect(csv.rows[3 * TOP]).toEqual([1, 'r8', 0, 4, 'suppressed', 0, lens.positions[0].suppressed[0].id, lens.positions[0].suppressed[0].token, lens.positions[0].suppressed[0].z]);
    const svg = b.figures.get('lens-layer-1-r8') ?? '';
    for (const side of ['promoted', 'suppressed'] as const) {
      lens[side].forEach((t, rank) => expect(svg).toContain(`data-side="${side}" data-rank="${rank}" data-id="${t.id}" data-z="${t.z}"`));
    }
  });

  it('reads a version-1 bundle (before the lens) with an empty lens', async () => {
    const b = await readOlderBundle(1, ['lens']);
    expect(b.manifest.version).toBe(1);
    expect(b.metrics.lens).toEqual([]);
  });

  it('refuses to write a lens token string longer than 200 characters', async () => {
    const lens = await referenceLensEntry();
    const bad = metricsWith([{ ...lens, promoted: [{ id: 1, token: 'x'.repeat(201), z: 1 }] }]);
    await expect(writeBundle({ manifest: TEST_MANIFEST, metrics: bad, saes: [], figures: {} })).rejects.toThrow();
  });
});

describe('lens layout', () => {
  it('draws promoted bars right of zero and suppressed bars left, lengths in proportion to z', () => {
    const sides = { promoted: [{ id: 5, token: ' the', z: 4 }, { id: 6, token: 'a', z: 2 }], suppressed: [{ id: 7, token: null, z: -8 }] };
    const lay = lensLayout(sides, 600, 200, { top: 10, right: 10, bottom: 30, left: 10 });
    const bar = (side: string, rank: number) => lay.bars.find((b) => b.side === side && b.rank === rank)!;
    expect(bar('promoted', 0).x).toBeCloseTo(lay.zeroX, 9);
    expect(bar('suppressed', 0).x + bar('suppressed', 0).w).toBeCloseTo(lay.zeroX, 9);
    expect(bar('promoted', 0).w / bar('promoted', 1).w).toBeCloseTo(2, 9);
    expect(bar('suppressed', 0).w / bar('promoted', 0).w).toBeCloseTo(2, 9);
    expect(bar('promoted', 0).y).toBe(bar('suppressed', 0).y);
    expect(bar('promoted', 1).y).toBeGreaterThan(bar('promoted', 0).y);
  });

  it('labels tokens with visible spaces and control characters, and ids when there is no string', () => {
    expect(tokenLabel({ id: 5, token: ' the' })).toBe('␣the');
    expect(tokenLabel({ id: 19, token: '\u000f' })).toBe('\\x0f');
    expect(tokenLabel({ id: 7, token: null })).toBe('#7');
    expect(tokenLabel({ id: 8, token: '' })).toBe('#8 (empty)');
  });
});
