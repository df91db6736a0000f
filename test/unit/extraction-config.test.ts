import { describe, expect, it } from 'vitest';
import { datasetFromTokenIds } from '../../src/lab/dataset-pack.js';
import { validateExtraction, type ExtractionInput } from '../../src/lab/extraction/index.js';
import { projectedBytes, TOKEN_KIND } from '../../src/store/index.js';

async function input(): Promise<ExtractionInput> {
  return {
    dataset: await datasetFromTokenIds(Int32Array.from([2, 5, 6, 2, 7, 8]), 2, 3, 2),
    model: { sha256: 'm', dtype: 'f32', hidden: 64 },
    adapters: [{ name: 'a', sha256: 'x' }],
    tokenizer: null,
    options: { layers: [0, 2], dtype: 'f32', saveBase: false, batchSize: 2 },
  };
}

describe('extraction settings', () => {
  it('accepts a valid input', async () => {
    validateExtraction(await input());
  });

  it('lists every problem at once, naming the settings', async () => {
    const bad = await input();
    bad.options = { layers: [2, 2, -1], dtype: 'f8' as 'f32', saveBase: false, batchSize: 0, shardBytes: 10 };
    bad.adapters = [{ name: 'a', sha256: '' }, { name: 'a', sha256: '' }, { name: '@base', sha256: '' }];
    expect(() => validateExtraction(bad)).toThrow(
      /^extraction settings: layers must be ascending .*; dtype must be f16 or f32 .*; batchSize must be .*; shardBytes must be .*; adapter names must differ .*; adapter names must be non-empty/,
    );
  });

  it('token ids given directly mark BOS positions and hash their content', async () => {
    const a = await datasetFromTokenIds(Int32Array.from([2, 5, 6, 2, 7, 8]), 2, 3, 2);
    expect([...a.kinds]).toEqual([TOKEN_KIND.bos, 0, 0, TOKEN_KIND.bos, 0, 0]);
    expect(a.textTokens).toBe(4);
    expect((await datasetFromTokenIds(Int32Array.from([2, 5, 6, 2, 7, 9]), 2, 3, 2)).sha256).not.toBe(a.sha256);
    await expect(datasetFromTokenIds(Int32Array.from([2, 5]), 2, 3, 2)).rejects.toThrow('tokens: 2 ids do not fill [2, 3]');
  });

  it('projects the stored size: streams × layers × tokens × hidden × bytes', () => {
    const m = { numSequences: 10, seqLen: 8, hidden: 4, layers: [0, 1, 2], adapters: [{ name: 'a', sha256: '' }, { name: 'b', sha256: '' }], dtype: 'f16' as const };
    expect(projectedBytes({ ...m, saveBase: false })).toBe(2 * 3 * 80 * 4 * 2);
    expect(projectedBytes({ ...m, saveBase: true })).toBe(5 * 3 * 80 * 4 * 2);
  });
});
