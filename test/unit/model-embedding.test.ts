import { describe, expect, it } from 'vitest';
import { openGemma2Checkpoint } from '../../src/formats/index.js';
import { modelFilesFromDir } from '../../src/formats/node-files.js';
import { Embedder } from '../../src/model/embedding.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { fixtureF32 } from '../helpers/model.js';

describe('Embedder (CPU-side gather of the batch rows)', () => {
  const ids = Int32Array.from([2, 350, 367, 2, 351, 511, 0, 340, 367, 499]);

  for (const cacheBytes of [Infinity, 0]) {
    it(`equals embed_tokens[ids] · √hidden ${cacheBytes ? 'from the cached table' : 'read by coalesced row ranges'}`, async () => {
      const { checkpoint, config } = await openGemma2Checkpoint(await modelFilesFromDir(`${FIXTURES_DIR}/model`));
      const table = await checkpoint.readF32('model.embed_tokens.weight');
      const got = await new Embedder(checkpoint, config, cacheBytes).gather(ids);
      const h = config.hiddenSize;
      const ref = Float32Array.from({ length: ids.length * h }, (_, i) => table[ids[Math.floor(i / h)] * h + (i % h)] * 8);
      expect(got).toEqual(ref);
    });
  }

  it('matches reference/base/embed_scaled for the fixture batch', async () => {
    const { checkpoint, config } = await openGemma2Checkpoint(await modelFilesFromDir(`${FIXTURES_DIR}/model`));
    const { parseNpy } = await import('../../src/formats/index.js');
    const { readFile } = await import('node:fs/promises');
    const batch = parseNpy(new Uint8Array(await readFile(`${FIXTURES_DIR}/reference/input_ids.npy`)), 'input_ids.npy').data as Int32Array;
    expect(await new Embedder(checkpoint, config, 0).gather(batch)).toEqual((await fixtureF32('reference/base/embed_scaled.npy')).data);
  });

  it('rejects an id outside the vocabulary, naming it', async () => {
    const { checkpoint, config } = await openGemma2Checkpoint(await modelFilesFromDir(`${FIXTURES_DIR}/model`));
    await expect(new Embedder(checkpoint, config).gather(Int32Array.from([2, -1]), 'ids.npy')).rejects.toThrow('ids.npy: token id -1 at index 1 is outside the vocabulary [0, 512)');
  });
});
