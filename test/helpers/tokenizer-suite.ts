import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src/lab/tokenizer.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

interface Expected {
  add_bos: boolean;
  cases: { text: string; ids: number[]; decoded_skip_special: string }[];
}

async function fixtureTokenizer() {
  return loadTokenizer(
    { 'tokenizer.json': await fixtureBytes('tokenizer/tokenizer.json'), 'tokenizer_config.json': await fixtureBytes('tokenizer/tokenizer_config.json') },
    'fixtures/tokenizer',
  );
}

/** The same checks run in Node (test/unit) and in Chromium (test/gpu): transformers.js must agree in both. */
export function tokenizerSuite(environment: string): void {
  describe(`tokenizer (${environment})`, () => {
    it('encodes and decodes every case of tokenizer/expected.json exactly', async () => {
      const tok = await fixtureTokenizer();
      const expected = await fixtureJson<Expected>('tokenizer/expected.json');
      expect(expected.cases).toHaveLength(14);
      for (const c of expected.cases) {
        const ids = tok.encode(c.text, expected.add_bos);
        expect(ids, JSON.stringify(c.text)).toEqual(c.ids);
        expect(tok.decode(ids, true)).toBe(c.decoded_skip_special);
      }
    });

    it('reports BOS 2, pad 0 and a 512-token vocabulary', async () => {
      const tok = await fixtureTokenizer();
      expect([tok.bosId, tok.padId, tok.vocabSize]).toEqual([2, 0, 512]);
      expect(tok.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('rejects a tokenizer.json that is not JSON, naming the file', async () => {
      await expect(loadTokenizer({ 'tokenizer.json': '{"model": ' }, 'x')).rejects.toThrow(/^tokenizer\.json: not valid JSON/);
    });
  });
}
