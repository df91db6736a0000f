import { InputError } from '../errors/index.js';
import { seededRandom, shuffleInPlace, TOKEN_KIND } from '../store/index.js';
import type { TextTokenizer } from './tokenizer.js';

/** How documents become fixed-length sequences. */
export interface PackOptions {
  /** Positions per sequence, BOS included (≥ 2). */
  seqLen: number;
  /**
   * `concat`: documents are joined (each after a BOS) into one stream that is cut into sequences;
   * `document`: each document starts its own sequences and its last one is padded.
   */
  packing: 'concat' | 'document';
  /** Fraction of sequences held out for evaluation, in [0, 1). */
  heldOutFraction: number;
  /** Seed of the held-out split. */
  splitSeed: number;
  /** Stop after this many sequences (omit for all). */
  maxSequences?: number;
}

/** Tokenised, packed sequences plus what later stages need to know about each position. */
export interface PackedDataset {
  seqLen: number;
  numSequences: number;
  /** [numSequences, seqLen] token ids; each sequence starts with BOS. */
  ids: Int32Array;
  /** [numSequences, seqLen] TOKEN_KIND per position: text, BOS or padding. */
  kinds: Uint8Array;
  /** Sorted indices of the held-out sequences. */
  heldOut: Uint32Array;
  heldOutFraction: number;
  splitSeed: number;
  /** Positions that are neither BOS nor padding. */
  textTokens: number;
  /** SHA-256 (hex) of seqLen and the ids: identical data gives an identical hash. */
  sha256: string;
}

/** Text is encoded in pieces of at least this many characters, cut after a blank line, so a huge file never becomes one BPE word. */
const PIECE_CHARS = 32_768;

function encodeLong(tok: TextTokenizer, text: string): number[] {
  if (text.length <= PIECE_CHARS) return tok.encode(text, false);
  const out: number[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.length;
    if (text.length - start > PIECE_CHARS) {
      const re = /\n\n+(?=\S)/g;
      re.lastIndex = start + PIECE_CHARS;
      const m = re.exec(text);
      if (m) end = m.index + m[0].length;
    }
    for (const id of tok.encode(text.slice(start, end), false)) out.push(id);
    start = end;
  }
  return out;
}

export function validatePackOptions(o: PackOptions, name = 'dataset'): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.seqLen) || o.seqLen < 2) problems.push(`seqLen must be an integer ≥ 2 (got ${o.seqLen})`);
  if (!(o.heldOutFraction >= 0 && o.heldOutFraction < 1)) problems.push(`heldOutFraction must be in [0, 1) (got ${o.heldOutFraction})`);
  if (!Number.isInteger(o.splitSeed)) problems.push(`splitSeed must be an integer (got ${o.splitSeed})`);
  if (o.maxSequences !== undefined && !(Number.isInteger(o.maxSequences) && o.maxSequences >= 1)) problems.push(`maxSequences must be a positive integer (got ${o.maxSequences})`);
  if (o.packing !== 'concat' && o.packing !== 'document') problems.push(`packing must be "concat" or "document" (got ${String(o.packing)})`);
  if (problems.length) throw new InputError(name, problems.join('; '));
}

/** Sequences of text ids (BOS excluded) before BOS and padding are added. */
function chunkDocuments(docs: number[][], bosId: number, body: number, packing: PackOptions['packing']): number[][] {
  const chunks: number[][] = [];
  if (packing === 'document') {
    for (const d of docs) for (let i = 0; i < d.length; i += body) chunks.push(d.slice(i, i + body));
    return chunks;
  }
  const stream: number[] = [];
  docs.forEach((d, i) => {
    if (i > 0) stream.push(bosId);
    for (const id of d) stream.push(id);
  });
  for (let i = 0; i < stream.length; i += body) chunks.push(stream.slice(i, i + body));
  return chunks;
}

/** Sorted indices of `round(n · fraction)` held-out sequences (at least one when n ≥ 2 and fraction > 0; never all). */
export function heldOutSplit(n: number, fraction: number, seed: number): Uint32Array {
  let k = Math.round(n * fraction);
  if (fraction > 0 && n >= 2) k = Math.min(n - 1, Math.max(1, k));
  else if (n < 2) k = 0;
  const order = shuffleInPlace(Uint32Array.from({ length: n }, (_, i) => i), seededRandom(seed));
  return order.slice(0, k).sort();
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Tokenises documents and packs them into BOS-led sequences of `seqLen`, with the position kinds and the split. */
export async function packDataset(docs: readonly string[], tok: TextTokenizer, options: PackOptions, name = 'dataset'): Promise<PackedDataset> {
  validatePackOptions(options, name);
  const { seqLen, packing } = options;
  const encoded = docs.map((d) => encodeLong(tok, d)).filter((d) => d.length > 0);
  let chunks = chunkDocuments(encoded, tok.bosId, seqLen - 1, packing);
  if (options.maxSequences !== undefined) chunks = chunks.slice(0, options.maxSequences);
  if (chunks.length === 0) throw new InputError(name, 'no text tokens after tokenisation');
  const n = chunks.length;
  const ids = new Int32Array(n * seqLen).fill(tok.padId);
  const kinds = new Uint8Array(n * seqLen).fill(TOKEN_KIND.pad);
  let textTokens = 0;
  chunks.forEach((c, s) => {
    const row = s * seqLen;
    ids[row] = tok.bosId;
    kinds[row] = TOKEN_KIND.bos;
    c.forEach((id, j) => {
      ids[row + 1 + j] = id;
      const isBos = id === tok.bosId;
      kinds[row + 1 + j] = isBos ? TOKEN_KIND.bos : TOKEN_KIND.text;
      if (!isBos) textTokens++;
    });
  });
  const header = new Int32Array([seqLen, n]);
  const hashed = new Uint8Array(8 + ids.byteLength);
  hashed.set(new Uint8Array(header.buffer), 0);
  hashed.set(new Uint8Array(ids.buffer), 8);
  return {
    seqLen,
    numSequences: n,
    ids,
    kinds,
    heldOut: heldOutSplit(n, options.heldOutFraction, options.splitSeed),
    heldOutFraction: options.heldOutFraction,
    splitSeed: options.splitSeed,
    textTokens,
    sha256: await sha256Hex(hashed),
  };
}

/**
 * A dataset from token ids given directly (e.g. the CLI's `--tokens ids.npy`): no padding; positions
 * holding `bosId` are marked BOS.
 * @param ids [numSequences, seqLen] int32
 */
export async function datasetFromTokenIds(ids: Int32Array, numSequences: number, seqLen: number, bosId: number, split: { heldOutFraction: number; splitSeed: number } = { heldOutFraction: 0, splitSeed: 0 }): Promise<PackedDataset> {
  if (ids.length !== numSequences * seqLen || numSequences < 1 || seqLen < 1) throw new InputError('tokens', `${ids.length} ids do not fill [${numSequences}, ${seqLen}]`);
  const kinds = Uint8Array.from(ids, (id) => (id === bosId ? TOKEN_KIND.bos : TOKEN_KIND.text));
  const header = new Int32Array([seqLen, numSequences]);
  const hashed = new Uint8Array(8 + ids.byteLength);
  hashed.set(new Uint8Array(header.buffer), 0);
  hashed.set(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength), 8);
  return {
    seqLen,
    numSequences,
    ids: ids.slice(),
    kinds,
    heldOut: heldOutSplit(numSequences, split.heldOutFraction, split.splitSeed),
    heldOutFraction: split.heldOutFraction,
    splitSeed: split.splitSeed,
    textTokens: kinds.reduce((a, k) => a + (k === TOKEN_KIND.text ? 1 : 0), 0),
    sha256: await sha256Hex(hashed),
  };
}
