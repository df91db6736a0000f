import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { dashboardLayout, labelRule, latentRows } from '../../src/app/charts/latents-layout.js';
import { renderFigures } from '../../src/app/figures.js';
import { readBundle, writeBundle } from '../../src/formats/bundle.js';
import { metricsTables } from '../../src/formats/bundle-csv.js';
import { BUNDLE_VERSION, emptyMetrics, type Alignment, type CosineSummary, type LatentSet, type ResultMetrics } from '../../src/formats/bundle-schema.js';
import { parseNpy, parseNpz } from '../../src/formats/index.js';
import { latentLabel, latentThresholds } from '../../src/lab/latent-dashboards.js';
import { fixtureBytes } from '../helpers/fixtures.js';
import { referenceHistogram, referenceLatents } from '../ref/analysis-latents.js';
import { readOlderBundle, TEST_MANIFEST } from '../helpers/bundle-fixtures.js';

const BOS = 2;
const DASHBOARDS = 3;

/** The fixture SAE on r16's layer-1 deltas, from the brute-force reference, as the bundle stores it. */
async function referenceSet(): Promise<LatentSet> {
  const npz = parseNpz(new Uint8Array(await fixtureBytes('sae/params.npz')), 'params.npz');
  const f = (k: string) => npz.get(k)!.data as Float32Array;
  const ids = parseNpy(new Uint8Array(await fixtureBytes('reference/input_ids.npy')), 'input_ids.npy').data as Int32Array;
  const delta = parseNpy(new Uint8Array(await fixtureBytes('reference/adapters/r16/delta.npy')), 'delta.npy').data as Float32Array;
  const seqLen = 24;
  const n = ids.length * 64;
  const ref = referenceLatents({ dIn: 64, dSae: 256, W_enc: f('W_enc'), b_enc: f('b_enc'), W_dec: f('W_dec'), threshold: f('threshold') }, delta.subarray(n, 2 * n), (t) => ids[t] !== BOS, seqLen);
  const order = Array.from(ref.varianceShare.keys()).sort((a, b) => ref.varianceShare[b] - ref.varianceShare[a]);
  return {
    layer: 1,
    adapter: 'r16',
    width: 256,
    tokens: ref.tokens,
    thresholds: { newBelow: 0.3, sharedAtLeast: 0.8 },
    frequency: Array.from(ref.frequency),
    varianceShare: Array.from(ref.varianceShare),
    nearest: Array.from({ length: 256 }, (_, i) => (i * 7) % 256),
    cosine: Array.from({ length: 256 }, (_, i) => i / 256),
    label: Array.from({ length: 256 }, (_, i) => (i / 256 < 0.3 ? 'new' : i / 256 >= 0.8 ? 'shared' : 'between')),
    dashboards: order.slice(0, DASHBOARDS).map((index) => ({
      index,
      maxActivation: ref.max[index],
      contexts: ref.hits[index].slice(0, 8).map((h) => {
        const start = Math.max(0, h.position - 8);
        const len = Math.min(seqLen, h.position + 5) - start;
        const row = h.sequence * seqLen + start;
        return { ...h, start, ids: Array.from(ids.subarray(row, row + len)), tokens: Array.from(ids.subarray(row, row + len), (id) => `t${id}`), acts: Array.from({ length: len }, (_, k) => ref.acts[(row + k) * 256 + index]) };
      }),
      histogram: { edges: Array.from({ length: 25 }, (_, e) => (ref.max[index] * e) / 24), counts: referenceHistogram(ref, index, 24), scale: 'linear' as const },
      promoted: [{ id: 5, token: 't5', z: 2.5 }],
      suppressed: [{ id: 9, token: null, z: -1.25 }],
    })),
  };
}

describe('delta-feature dashboards in the result bundle', () => {
  it('round-trip (metrics.json), CSV rows per latent and per context, and a figure per leading dashboard', async () => {
    const set = await referenceSet();
    const metrics: ResultMetrics = { ...emptyMetrics(), layers: [1], latents: [set] };
    const bytes = await writeBundle({ manifest: TEST_MANIFEST, metrics, saes: [], figures: renderFigures(metrics) });
    const b = await readBundle(bytes, 'b.zip');
    expect(b.manifest.version).toBe(BUNDLE_VERSION);
    expect(b.metrics.latents).toEqual([set]);
    const tables = metricsTables(b.metrics);
    expect(tables.latents.rows).toHaveLength(256);
    const top = set.dashboards[0].index;
    expect(tables.latents.rows[top]).toEqual([1, 'r16', top, set.varianceShare[top], set.frequency[top], set.nearest[top], set.cosine[top], set.label[top], 0.3, 0.8, 1]);
    expect(tables.latent_contexts.rows).toHaveLength(set.dashboards.reduce((s, d) => s + d.contexts.length, 0));
    const c0 = set.dashboards[0].contexts[0];
    expect(tables.latent_contexts.rows[0]).toEqual([1, 'r16', top, 0, c0.sequence, c0.position, c0.activation, c0.start, c0.ids.join(' '), c0.acts.join(' ')]);
    expect(tables.latent_logits.rows[0]).toEqual([1, 'r16', top, 'promoted', 0, 5, 't5', 2.5]);
    const files = unzipSync(bytes);
    const svg = strFromU8(files[`figures/latent-layer-1-r16-${top}.svg`]);
    set.dashboards[0].contexts.forEach((c, rank) => expect(svg).toContain(`data-context-rank="${rank}" data-sequence="${c.sequence}" data-position="${c.position}"`));
  });

  it('reads a version-2 bundle (before the dashboards) with no latents', async () => {
    const b = await readOlderBundle(2, ['latents']);
    expect(b.manifest.version).toBe(2);
    expect(b.metrics.latents).toEqual([]);
  });

  it('refuses columns that do not match the width, and out-of-range dashboards', async () => {
    const set = await referenceSet();
    for (const bad of [{ ...set, frequency: set.frequency.slice(1) }, { ...set, dashboards: [{ ...set.dashboards[0], index: 256 }] }]) {
      await expect(writeBundle({ manifest: TEST_MANIFEST, metrics: { ...emptyMetrics(), latents: [bad] }, saes: [], figures: {} })).rejects.toThrow();
    }
  });
});

describe('latent labels and list', () => {
  const summary = (mean: number, interval: [number, number] | null): CosineSummary => ({ meanMaxCos: mean, interval, fracAbove: { '0.5': 0, '0.7': 0, '0.9': 0 }, histogram: { edges: [0, 1], counts: [1], scale: 'linear' } });
  const alignment = (randomLora: CosineSummary | null, ceiling: CosineSummary | null): Alignment => ({ layer: 0, adapter: 'a', observed: summary(0.5, null), floor: null, randomLora, ceiling });

  it('new below the random-LoRA interval’s upper end, shared from the ceiling interval’s lower end, between otherwise', () => {
    const t = latentThresholds(alignment(summary(0.2, [0.18, 0.25]), summary(0.9, [0.85, 0.93])));
    expect(t).toEqual({ newBelow: 0.25, sharedAtLeast: 0.85 });
    expect([0.1, 0.2499, 0.25, 0.5, 0.8499, 0.85, 1].map((c) => latentLabel(c, t))).toEqual(['new', 'new', 'between', 'between', 'between', 'shared', 'shared']);
    expect(latentThresholds(alignment(summary(0.2, null), summary(0.9, null)))).toEqual({ newBelow: 0.2, sharedAtLeast: 0.9 });
    expect(latentThresholds(alignment(null, summary(0.9, null)))).toBeNull();
    expect(latentThresholds(alignment(summary(0.2, null), null))).toBeNull();
    expect(latentThresholds(null)).toBeNull();
    expect(latentLabel(0.5, null)).toBeNull();
    expect(latentLabel(null, t)).toBeNull();
  });

  it('lists latents by variance share, filtered by a cosine bin and by search', async () => {
    const set = await referenceSet();
    const all = latentRows(set, undefined, '');
    expect(all).toHaveLength(256);
    for (let k = 1; k < all.length; k++) expect(all[k - 1].varianceShare).toBeGreaterThanOrEqual(all[k].varianceShare);
    expect(all[0].index).toBe(set.dashboards[0].index);
    const bin = latentRows(set, [0.5, 0.75], '');
    expect(bin.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, k) => 128 + k));
    expect(latentRows(set, undefined, '#17').map((r) => r.index)).toEqual([17]);
    expect(latentRows(set, undefined, 'p14').map((r) => r.index)).toEqual([2]);
    expect(latentRows(set, undefined, 'shared')).toHaveLength(256 - Math.ceil(0.8 * 256));
    const token = set.dashboards[1].contexts[0].tokens![0];
    expect(latentRows(set, undefined, token).map((r) => r.index)).toContain(set.dashboards[1].index);
  });
});

describe('latent dashboard layout', () => {
  it('puts each context\'s peak token in the ninth column, shades by activation, and draws histogram bars in proportion', async () => {
    const set = await referenceSet();
    const d = set.dashboards[0];
    const L = dashboardLayout(d, 13 * 40 + 24, { top: 10, right: 12, bottom: 10, left: 12 });
    expect(L.contexts).toHaveLength(d.contexts.length);
    for (const c of L.contexts) {
      const peak = c.cells.filter((cell) => cell.peak);
      expect(peak).toHaveLength(1);
      expect(peak[0].x).toBeCloseTo(8 * 40, 9);
      expect(peak[0].act).toBe(c.activation);
    }
    const top = Math.max(...d.histogram.counts);
    L.bars.forEach((b, i) => expect(b.h).toBeCloseTo((L.histH * d.histogram.counts[i]) / top, 9));
    expect(L.logits.bars.map((b) => [b.side, b.id])).toEqual([['promoted', 5], ['suppressed', 9]]);
  });

  it('states the thresholds, and says so when the two intervals overlap', async () => {
    const set = await referenceSet();
    expect(labelRule(set).join(' ')).toMatch(/new: cosine < 0\.300 .*shared: cosine ≥ 0\.800 .*between otherwise/);
    expect(labelRule({ ...set, thresholds: { newBelow: 0.5, sharedAtLeast: 0.4 } }).join(' ')).toMatch(/overlap/);
    expect(labelRule({ ...set, thresholds: null }).join(' ')).toMatch(/no label/);
  });
});
