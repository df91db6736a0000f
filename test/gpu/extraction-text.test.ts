import { describe, expect, it } from 'vitest';
import { packDataset } from '../../src/lab/dataset-pack.js';
import { extractDeltas } from '../../src/lab/extraction/index.js';
import { loadTokenizer } from '../../src/lab/tokenizer.js';
import { ActivationStore } from '../../src/store/index.js';
import { expectStoredEqualsForward, extractionInput, H, LAYERS, NAMES, sharedEngine } from '../helpers/extraction.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';

describe('extraction run on tokenised text: fixture model + r4, r8, r16, r32 into real IndexedDB', () => {
  it('stores a packed text sample (padding, partial batches) bit for bit; f16 storage stays within 1e-3 per token', async () => {
    const store = ActivationStore.open('extraction-run-test');
    const tok = await loadTokenizer(
      { 'tokenizer.json': await fixtureBytes('tokenizer/tokenizer.json'), 'tokenizer_config.json': await fixtureBytes('tokenizer/tokenizer_config.json') },
      'fixture',
    );
    const texts = (await fixtureJson<{ cases: { text: string }[] }>('tokenizer/expected.json')).cases.map((c) => c.text);
    const ds = await packDataset(texts.slice(12), tok, { seqLen: 32, packing: 'document', heldOutFraction: 0.25, splitSeed: 1 });
    expect(ds.kinds.includes(2)).toBe(true);
    const r32 = await extractDeltas(extractionInput(ds, 'f32', false, 2, 3), { store, openEngine: sharedEngine });
    expect(r32.manifest.numShards).toBeGreaterThan(1);
    await expectStoredEqualsForward(store, r32.manifest, ds, 2);
    const r16 = await extractDeltas(extractionInput(ds, 'f16', false, 2, 3), { store, openEngine: sharedEngine });
    let worst = 0;
    for (const l of LAYERS) {
      for (const n of NAMES) {
        const a = await store.readTensor(r32.runId, l, n);
        const b = await store.readTensor(r16.runId, l, n);
        for (let t = 0; t < a.length / H; t++) {
          let d = 0;
          let q = 0;
          for (let h = 0; h < H; h++) {
            d += (a[t * H + h] - b[t * H + h]) ** 2;
            q += a[t * H + h] ** 2;
          }
          if (q > 0) worst = Math.max(worst, Math.sqrt(d / q));
        }
      }
    }
    expect(worst, `worst per-token relative error of f16 storage: ${worst.toExponential(3)}`).toBeLessThan(1e-3);
    await store.deleteRun(r32.runId);
    await store.deleteRun(r16.runId);
  });
});
