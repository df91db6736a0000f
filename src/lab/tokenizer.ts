import { InputError } from '../errors/index.js';
import { fetchFile } from '../formats/index.js';

/** The part of a Hugging Face tokenizer deltascope uses; ids are plain numbers. */
export interface TextTokenizer {
  /** Where it came from (folder name, URL or Hub id), for manifests. */
  readonly name: string;
  /** SHA-256 (hex) of tokenizer.json, so a run records exactly which vocabulary produced its ids. */
  readonly sha256: string;
  readonly bosId: number;
  /** Used to fill the tail of the last packed sequence; falls back to EOS, then BOS. */
  readonly padId: number;
  readonly vocabSize: number;
  /** Token ids of `text`; with `addBos`, the tokenizer's own special tokens (Gemma: BOS first). */
  encode(text: string, addBos: boolean): number[];
  decode(ids: ArrayLike<number>, skipSpecial: boolean): string;
}

/** The two files a tokenizer needs, as dropped files, fetched bytes or already-parsed JSON text. */
export interface TokenizerFiles {
  'tokenizer.json': Blob | ArrayBuffer | string;
  'tokenizer_config.json'?: Blob | ArrayBuffer | string;
}

interface HfTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  bos_token_id?: number | null;
  pad_token_id?: number | null;
  eos_token_id?: number | null;
}
type HfTokenizerClass = new (tokenizerJson: object, tokenizerConfig: object) => HfTokenizer;

async function text(file: string, data: Blob | ArrayBuffer | string): Promise<string> {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  return data.text();
}

function parseObject(file: string, s: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    throw new InputError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(file, 'expected a JSON object');
  return v as Record<string, unknown>;
}

async function sha256Hex(s: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Builds the tokenizer transformers.js's AutoTokenizer would (class from `tokenizer_class`), from the
 * files themselves, so nothing is fetched behind the caller's back; works in Node, pages and workers.
 */
export async function loadTokenizer(files: TokenizerFiles, name: string): Promise<TextTokenizer> {
  const jsonText = await text('tokenizer.json', files['tokenizer.json']);
  const json = parseObject('tokenizer.json', jsonText);
  if (typeof json.model !== 'object' || json.model === null) throw new InputError('tokenizer.json', 'has no "model" section');
  const config = files['tokenizer_config.json'] ? parseObject('tokenizer_config.json', await text('tokenizer_config.json', files['tokenizer_config.json'])) : {};
  // Loaded lazily: transformers.js is large and only this stage needs it.
  const transformers = (await import('@huggingface/transformers')) as unknown as Record<string, unknown>;
  const className = typeof config.tokenizer_class === 'string' ? config.tokenizer_class.replace(/Fast$/, '') : 'PreTrainedTokenizer';
  const cls = (typeof transformers[className] === 'function' ? transformers[className] : transformers.PreTrainedTokenizer) as HfTokenizerClass;
  let tok: HfTokenizer;
  try {
    tok = new cls(json, config);
  } catch (e) {
    throw new InputError('tokenizer.json', `cannot build a tokenizer from it (${(e as Error).message})`);
  }
  const model = json.model as { vocab?: unknown };
  const added = Array.isArray(json.added_tokens) ? (json.added_tokens as { id?: number }[]) : [];
  const vocabIds = model.vocab && typeof model.vocab === 'object' ? Object.values(model.vocab as Record<string, number>) : [];
  const vocabSize = Math.max(-1, ...vocabIds.filter((v) => typeof v === 'number'), ...added.map((t) => t.id ?? -1)) + 1;
  const bosId = tok.bos_token_id;
  if (bosId === null || bosId === undefined) throw new InputError('tokenizer_config.json', 'the tokenizer has no BOS token; deltascope sequences start with BOS');
  const padId = tok.pad_token_id ?? tok.eos_token_id ?? bosId;
  return {
    name,
    sha256: await sha256Hex(jsonText),
    bosId,
    padId,
    vocabSize,
    encode: (s, addBos) => tok.encode(s, { add_special_tokens: addBos }),
    decode: (ids, skipSpecial) => tok.decode(Array.from(ids), { skip_special_tokens: skipSpecial }),
  };
}

/** Fetches tokenizer.json (+ tokenizer_config.json when present) from a folder URL, optionally with a bearer token. */
export async function loadTokenizerFromUrl(baseUrl: string, token?: string): Promise<TextTokenizer> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const get = async (file: string, required: boolean): Promise<string | undefined> => {
    const got = await fetchFile(base + file, base + file, token ? { token } : {});
    if ('found' in got) return got.found.text();
    if (required) throw new InputError(base + file, got.absent);
    return undefined;
  };
  const [json, config] = await Promise.all([get('tokenizer.json', true), get('tokenizer_config.json', false)]);
  return loadTokenizer({ 'tokenizer.json': json as string, ...(config ? { 'tokenizer_config.json': config } : {}) }, baseUrl);
}

/** A Hugging Face Hub repository (`google/gemma-2-2b`); the token stays in memory only. */
export function loadTokenizerFromHub(repoId: string, token?: string, revision = 'main'): Promise<TextTokenizer> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repoId)) throw new InputError(repoId, 'not a Hugging Face repository id (owner/name)');
  return loadTokenizerFromUrl(`https://huggingface.co/${repoId}/resolve/${encodeURIComponent(revision)}/`, token).then((t) => ({ ...t, name: repoId }));
}
