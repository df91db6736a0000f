import { describe, expect, it } from 'vitest';
import { packDataset, heldOutSplit } from '../../src/lab/dataset-pack.js';
import { ALPACA_TEMPLATES, datasetFormatOf, parseDocuments } from '../../src/lab/dataset.js';
import { loadTokenizer, type TextTokenizer } from '../../src/lab/tokenizer.js';
import { TOKEN_KIND } from '../../src/store/index.js';
import { fixtureBytes } from '../helpers/fixtures.js';

let tokP: Promise<TextTokenizer> | null = null;
function tok(): Promise<TextTokenizer> {
  tokP ??= (async () =>
    loadTokenizer({ 'tokenizer.json': await fixtureBytes('tokenizer/tokenizer.json'), 'tokenizer_config.json': await fixtureBytes('tokenizer/tokenizer_config.json') }, 'fixture'))();
  return tokP;
}

const DOCS = ['The base model and the fine tuned model read the same tokens.', 'hello world', 'Sparse autoencoders learn features of the delta between two models.'];

describe('parseDocuments', () => {
  it('reads a plain text file as one document', () => {
    expect(parseDocuments({ name: 'a.txt', format: 'text', content: 'one\n\ntwo' })).toEqual(['one\n\ntwo']);
  });

  it('reads JSONL "text" records and formats Alpaca records with the template', () => {
    const content = ['{"text": "plain"}', '', '{"instruction": "Add", "input": "1 2", "output": "3"}', '{"instruction": "Greet", "output": "hi"}'].join('\n');
    const docs = parseDocuments({ name: 'd.jsonl', format: 'jsonl', content, templates: { withInput: '{instruction}|{input}|{output}', withoutInput: '{instruction}=>{output}' } });
    expect(docs).toEqual(['plain', 'Add|1 2|3', 'Greet=>hi']);
    expect(parseDocuments({ name: 'd.jsonl', format: 'jsonl', content: '{"instruction": "Greet", "output": "hi"}' })[0]).toBe(
      ALPACA_TEMPLATES.withoutInput.replace('{instruction}', 'Greet').replace('{output}', 'hi'),
    );
  });

  it('lists every bad JSONL line with its number in one error naming the file', () => {
    const content = '{"text": "ok"}\n{"text": 3}\nnot json\n[1]';
    expect(() => parseDocuments({ name: 'bad.jsonl', format: 'jsonl', content })).toThrow(/^bad\.jsonl: line 2: .*; line 3: not valid JSON.*; line 4: expected a JSON object$/);
  });

  it('rejects an empty text file', () => {
    expect(() => parseDocuments({ name: 'e.txt', format: 'text', content: ' \n' })).toThrow('e.txt: the file is empty');
  });

  it('guesses the format from the file name', () => {
    expect([datasetFormatOf('x.JSONL'), datasetFormatOf('x.json'), datasetFormatOf('x.txt')]).toEqual(['jsonl', 'jsonl', 'text']);
  });
});

describe('packDataset', () => {
  it('concat packing: BOS-led sequences whose bodies are the documents joined by BOS, padding only at the end', async () => {
    const t = await tok();
    const seqLen = 16;
    const p = await packDataset(DOCS, t, { seqLen, packing: 'concat', heldOutFraction: 0, splitSeed: 1 });
    const stream = [...t.encode(DOCS[0], false), 2, ...t.encode(DOCS[1], false), 2, ...t.encode(DOCS[2], false)];
    expect(p.numSequences).toBe(Math.ceil(stream.length / (seqLen - 1)));
    const bodies: number[] = [];
    for (let s = 0; s < p.numSequences; s++) {
      expect(p.ids[s * seqLen]).toBe(2);
      expect(p.kinds[s * seqLen]).toBe(TOKEN_KIND.bos);
      for (let j = 1; j < seqLen; j++) if (p.kinds[s * seqLen + j] !== TOKEN_KIND.pad) bodies.push(p.ids[s * seqLen + j]);
    }
    expect(bodies).toEqual(stream);
    const firstPad = p.kinds.indexOf(TOKEN_KIND.pad);
    expect(firstPad).toBe((p.numSequences - 1) * seqLen + 1 + (stream.length % (seqLen - 1)));
    expect([...p.kinds.subarray(firstPad)].every((k) => k === TOKEN_KIND.pad)).toBe(true);
    expect([...p.ids.subarray(firstPad)].every((id) => id === t.padId)).toBe(true);
    expect(p.textTokens).toBe(stream.length - 2);
  });

  it('document packing: every document starts a sequence', async () => {
    const t = await tok();
    const p = await packDataset(DOCS, t, { seqLen: 48, packing: 'document', heldOutFraction: 0, splitSeed: 1 });
    expect(p.numSequences).toBe(3);
    expect([...p.ids.subarray(48, 48 + 9)]).toEqual(t.encode('hello world', true));
    expect(p.kinds[48 + 9]).toBe(TOKEN_KIND.pad);
  });

  it('a sequence equals the tokenizer output for a short text (BOS first)', async () => {
    const t = await tok();
    const p = await packDataset(['hello world'], t, { seqLen: 9, packing: 'concat', heldOutFraction: 0, splitSeed: 0 });
    expect([...p.ids]).toEqual([2, 333, 272, 272, 275, 355, 428, 272, 264]);
  });

  it('the held-out split is seeded, sorted, of the asked size and recorded', async () => {
    const a = heldOutSplit(100, 0.1, 7);
    expect(a.length).toBe(10);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect([...heldOutSplit(100, 0.1, 7)]).toEqual([...a]);
    expect([...heldOutSplit(100, 0.1, 8)]).not.toEqual([...a]);
    expect(heldOutSplit(2, 0.01, 0).length).toBe(1);
    expect(heldOutSplit(1, 0.5, 0).length).toBe(0);
    const t = await tok();
    const p = await packDataset(DOCS, t, { seqLen: 8, packing: 'concat', heldOutFraction: 0.25, splitSeed: 3 });
    expect([...p.heldOut]).toEqual([...heldOutSplit(p.numSequences, 0.25, 3)]);
  });

  it('hashes equal data equally and different packing differently', async () => {
    const t = await tok();
    const o = { seqLen: 8, packing: 'concat' as const, heldOutFraction: 0, splitSeed: 0 };
    const a = await packDataset(DOCS, t, o);
    expect((await packDataset(DOCS, t, o)).sha256).toBe(a.sha256);
    expect((await packDataset(DOCS, t, { ...o, seqLen: 9 })).sha256).not.toBe(a.sha256);
  });

  it('validates all options at once before tokenising', async () => {
    const t = await tok();
    await expect(packDataset(DOCS, t, { seqLen: 1, packing: 'concat', heldOutFraction: 1, splitSeed: 0.5 }, 'cfg')).rejects.toThrow(
      /^cfg: seqLen must be .*; heldOutFraction must be .*; splitSeed must be/,
    );
  });

  it('maxSequences caps the dataset', async () => {
    const t = await tok();
    expect((await packDataset(DOCS, t, { seqLen: 4, packing: 'concat', heldOutFraction: 0, splitSeed: 0, maxSequences: 3 })).numSequences).toBe(3);
  });
});
