// Writes the adversarial suite's malformed inputs into a folder, deterministically, and lists them as cases:
// the CLI command to run and the path the one-line refusal must name.
//   npx tsx tools/adversarial/generate.ts OUT_DIR    (writes OUT_DIR/cases.json beside the files)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, unzipSync } from 'fflate';
import { writeBundle } from '../../src/formats/bundle.js';
import { emptyMetrics } from '../../src/formats/bundle-schema.js';
import { crc32 } from '../../src/formats/bundle-zip.js';
import { writeNpy } from '../../src/formats/npy.js';
import { writeNpz } from '../../src/formats/npz.js';
import { writeSafetensors, type TensorToWrite } from '../../src/formats/safetensors-write.js';
import { type CraftEntry, craftZip, repeatedByteDeflate } from './zip-craft.js';

export interface AdversarialCase {
  name: string;
  /** Which format family the case attacks. */
  format: string;
  /** deltascope arguments (paths absolute). */
  argv: string[];
  /** The path the user gave, which the refusal must name. */
  given: string;
}

const GiB = 1024 ** 3;
const enc = new TextEncoder();
const json = (v: unknown): string => JSON.stringify(v, null, 2);

/** A safetensors file from a raw header text (or object) and `dataBytes` zero bytes of data. */
function rawSafetensors(header: string | object, dataBytes: number, opts: { prefix?: Uint8Array; lengthField?: bigint } = {}): Uint8Array {
  const text = enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const head = new Uint8Array([...(opts.prefix ?? []), ...text]);
  const out = new Uint8Array(8 + head.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, opts.lengthField ?? BigInt(head.length), true);
  out.set(head, 8);
  return out;
}

/** A .npy file whose header dict text is given verbatim (padded as numpy pads it), followed by `dataBytes` zero bytes. */
function rawNpy(dict: string, dataBytes: number, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const padded = `${dict.padEnd(total - pre - 1, ' ')}\n`;
  const out = new Uint8Array(total + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, padded.length, true);
  else v.setUint32(8, padded.length, true);
  out.set(enc.encode(padded), pre);
  return out;
}

const f32 = (n: number, fill: (i: number) => number = (i) => ((i * 37) % 11) / 10 - 0.5): Float32Array => Float32Array.from({ length: n }, (_, i) => fill(i));
const withValue = (a: Float32Array, i: number, v: number): Float32Array => {
  const b = a.slice();
  b[i] = v;
  return b;
};

/** A tiny valid Gemma-2 config (hidden 16, 2 layers) that cases then break one field at a time. */
const GEMMA = {
  architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2', hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2,
  num_key_value_heads: 1, head_dim: 8, intermediate_size: 32, vocab_size: 64,
};

function modelTensors(): Record<string, TensorToWrite> {
  const h = 16;
  const t: Record<string, TensorToWrite> = {
    'model.embed_tokens.weight': { dtype: 'F32', shape: [64, h], data: f32(64 * h) },
    'model.norm.weight': { dtype: 'F32', shape: [h], data: f32(h) },
  };
  for (let l = 0; l < 2; l++) {
    for (const n of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) {
      t[`model.layers.${l}.${n}.weight`] = { dtype: 'F32', shape: [h], data: f32(h) };
    }
    const shapes: Record<string, [number, number]> = {
      'self_attn.q_proj': [16, h], 'self_attn.k_proj': [8, h], 'self_attn.v_proj': [8, h], 'self_attn.o_proj': [h, 16],
      'mlp.gate_proj': [32, h], 'mlp.up_proj': [32, h], 'mlp.down_proj': [h, 32],
    };
    for (const [n, s] of Object.entries(shapes)) t[`model.layers.${l}.${n}.weight`] = { dtype: 'F32', shape: s, data: f32(s[0] * s[1]) };
  }
  return t;
}

const LORA_CONFIG = { peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], bias: 'none' };

function loraTensors(opts: { layer?: string; a?: Float32Array; b?: Float32Array; dropB?: boolean; kind?: string; dtype?: 'I32' } = {}): Record<string, TensorToWrite> {
  const pre = `base_model.model.model.layers.${opts.layer ?? '0'}.self_attn.${opts.kind ?? 'q_proj'}`;
  const t: Record<string, TensorToWrite> = {
    [`${pre}.lora_A.weight`]: opts.dtype ? { dtype: 'I32', shape: [4, 16], data: new Int32Array(64) } : { dtype: 'F32', shape: [4, 16], data: opts.a ?? f32(64) },
  };
  if (!opts.dropB) t[`${pre}.lora_B.weight`] = { dtype: 'F32', shape: [16, 4], data: opts.b ?? f32(64) };
  return t;
}

function gemmaScopeArrays(d = 16, m = 32): Record<string, { data: Float32Array; shape: number[] }> {
  return {
    W_enc: { data: f32(d * m), shape: [d, m] }, W_dec: { data: f32(m * d), shape: [m, d] }, b_enc: { data: f32(m), shape: [m] },
    b_dec: { data: f32(d), shape: [d] }, threshold: { data: f32(m, () => 0.1), shape: [m] },
  };
}

function saelensTensors(over: Partial<Record<string, TensorToWrite>> = {}): Record<string, TensorToWrite> {
  return {
    W_enc: { dtype: 'F32', shape: [16, 32], data: f32(512) }, W_dec: { dtype: 'F32', shape: [32, 16], data: f32(512) },
    b_enc: { dtype: 'F32', shape: [32], data: f32(32) }, b_dec: { dtype: 'F32', shape: [16], data: f32(16) },
    ...(over as Record<string, TensorToWrite>),
  };
}

/** Re-packs a bundle's entries with edits (stored, true CRCs unless an edit lies). */
function repack(bundle: Uint8Array, edit: (files: Map<string, Uint8Array>) => void, lie: (e: CraftEntry) => CraftEntry = (e) => e): Uint8Array {
  const files = new Map(Object.entries(unzipSync(bundle)));
  edit(files);
  return craftZip([...files].map(([name, data]) => lie({ name, data })));
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Rewrites an entry and its manifest size and hash, so only the content (not the listing) is wrong. */
async function replaceListed(files: Map<string, Uint8Array>, name: string, data: Uint8Array): Promise<void> {
  files.set(name, data);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as { entries: { path: string; bytes: number; sha256: string }[] };
  const e = manifest.entries.find((x) => x.path === name)!;
  e.bytes = data.length;
  e.sha256 = await sha256(data);
  files.set('manifest.json', strToU8(json(manifest)));
}

/** Writes every case's files under `dir` and returns the cases. Same input, same bytes. */
export async function generateCases(dir: string): Promise<AdversarialCase[]> {
  const cases: AdversarialCase[] = [];
  const file = (rel: string, bytes: Uint8Array | string): string => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, bytes);
    return p;
  };
  const inspect = (format: string, name: string, target: string): void => {
    cases.push({ name, format, argv: ['inspect', target], given: target });
  };
  const inspectFile = (format: string, name: string, ext: string, bytes: Uint8Array | string): void => inspect(format, name, file(`${format}/${name}${ext}`, bytes));
  /** A folder of files; the refusal must name the folder (the file inside it is named under it). */
  const inspectFolder = (format: string, name: string, files: Record<string, Uint8Array | string>): void => {
    const folder = path.join(dir, format, name);
    for (const [rel, bytes] of Object.entries(files)) file(`${format}/${name}/${rel}`, bytes);
    inspect(format, name, folder);
  };

  // ---- safetensors -------------------------------------------------------------------------------------
  const t8 = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const st = (name: string, bytes: Uint8Array): void => inspectFile('safetensors', name, '.safetensors', bytes);
  st('bom-before-header', rawSafetensors(t8, 8, { prefix: new Uint8Array([0xef, 0xbb, 0xbf]) }));
  st('duplicate-tensor-key', rawSafetensors('{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 8));
  st('duplicate-metadata-key', rawSafetensors('{"__metadata__": {"a": "1", "a": "2"}, "t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 8));
  st('hole-between-tensors', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] } }, 20));
  st('hole-before-first', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12));
  st('trailing-bytes', rawSafetensors(t8, 12));
  st('overlapping-tensors', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12));
  st('truncated-data', rawSafetensors(t8, 5));
  st('header-length-u64-max', rawSafetensors(t8, 8, { lengthField: 0xffffffffffffffffn }));
  st('header-length-past-end', rawSafetensors(t8, 8, { lengthField: 1_000_000n }));
  st('header-not-json', rawSafetensors('{"t": {"dtype": "F32",, }}', 8));
  st('header-json-array', rawSafetensors('[1, 2, 3]', 0));
  st('header-leading-space', rawSafetensors(` ${JSON.stringify(t8)}`, 8));
  st('header-not-utf8', rawSafetensors(new TextDecoder('latin1').decode(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), 0));
  st('unknown-dtype', rawSafetensors({ t: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2));
  st('shape-offsets-mismatch', rawSafetensors({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8));
  st('negative-dimension', rawSafetensors({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 8));
  st('shape-overflow', rawSafetensors({ t: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, 8));
  st('fractional-offset', rawSafetensors({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8.5] } }, 8));
  st('metadata-not-string', rawSafetensors({ __metadata__: { a: 1 }, ...t8 }, 8));
  st('empty-file', new Uint8Array(0));
  st('huge-header-claim', rawSafetensors(t8, 8, { lengthField: 200_000_000n }));

  // ---- shard index (model folders) ----------------------------------------------------------------------
  const tensors = modelTensors();
  const names = Object.keys(tensors);
  const half = Math.ceil(names.length / 2);
  const shard1 = writeSafetensors(Object.fromEntries(names.slice(0, half).map((n) => [n, tensors[n]])));
  const shard2 = writeSafetensors(Object.fromEntries(names.slice(half).map((n) => [n, tensors[n]])));
  const weightMap = Object.fromEntries(names.map((n, i) => [n, i < half ? 's1.safetensors' : 's2.safetensors']));
  const sharded = (name: string, index: string, extra: Record<string, Uint8Array | string> = {}): void =>
    inspectFolder('shard-index', name, { 'config.json': json(GEMMA), 'model.safetensors.index.json': index, 's1.safetensors': shard1, 's2.safetensors': shard2, ...extra });
  const indexText = json({ metadata: {}, weight_map: weightMap });
  sharded('duplicate-weight-map-key', indexText.replace('"weight_map": {', `"weight_map": {\n    "${names[0]}": "s2.safetensors",`));
  sharded('weight-map-not-object', json({ weight_map: ['s1.safetensors'] }));
  sharded('weight-map-empty', json({ weight_map: {} }));
  sharded('missing-shard', json({ weight_map: { ...weightMap, [names[0]]: 's9.safetensors' } }));
  sharded('tensor-not-in-shard', json({ weight_map: { ...weightMap, [names[0]]: 's2.safetensors' } }));
  sharded('index-not-json', '{"weight_map": {');
  sharded('index-bom', `\ufeff${indexText}`);
  sharded('shard-name-is-a-path', json({ weight_map: { ...weightMap, [names[0]]: '../s1.safetensors' } }));
  sharded('shard-name-not-string', json({ weight_map: { ...weightMap, [names[0]]: 7 } }));
  sharded('shard-with-trailing-bytes', indexText, { 's2.safetensors': new Uint8Array([...shard2, 0, 0, 0, 0]) });

  // ---- config.json -------------------------------------------------------------------------------------
  const cfg = (name: string, text: string): void => inspect('config', name, file(`config/${name}/config.json`, text));
  cfg('other-model-type-gemma2-architectures', json({ ...GEMMA, model_type: 'llama' }));
  cfg('model-type-not-string', json({ ...GEMMA, model_type: 2 }));
  cfg('layers-1e9', json({ ...GEMMA, num_hidden_layers: 1e9 }));
  cfg('hidden-size-1e12', json({ ...GEMMA, hidden_size: 1e12 }));
  cfg('vocab-fractional', json({ ...GEMMA, vocab_size: 64.5 }));
  cfg('negative-layers', json({ ...GEMMA, num_hidden_layers: -2 }));
  cfg('heads-not-multiple', json({ ...GEMMA, num_attention_heads: 3, num_key_value_heads: 2 }));
  cfg('duplicate-key', json(GEMMA).replace('"hidden_size": 16,', '"hidden_size": 16,\n  "hidden_size": 4096,'));
  cfg('bom', `\ufeff${json(GEMMA)}`);
  cfg('not-object', '[1, 2]');
  cfg('invalid-json', '{"model_type": "gemma2",, }');
  cfg('not-utf8', new TextDecoder('latin1').decode(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])));
  inspectFolder('config', 'model-folder-layers-1e9', { 'config.json': json({ ...GEMMA, num_hidden_layers: 1e9 }), 'model.safetensors': writeSafetensors(tensors) });

  // ---- adapter_config.json and adapter tensors ---------------------------------------------------------
  const adapter = (name: string, config: string | object, weights: Uint8Array = writeSafetensors(loraTensors())): void =>
    inspectFolder('adapter', name, { 'adapter_config.json': typeof config === 'string' ? config : json(config), 'adapter_model.safetensors': weights });
  adapter('target-regex-catastrophic', { ...LORA_CONFIG, target_modules: '(.*a)*(.*a)*(.*a)*(a+)+$' });
  adapter('target-regex-nested-quantifiers', { ...LORA_CONFIG, target_modules: '((model|layers|self_attn|\\w+|\\.|\\d)*)*x' });
  adapter('rank-pattern-catastrophic', { ...LORA_CONFIG, rank_pattern: { '(\\w*)*(\\w|_)+proj': 8 } });
  adapter('alpha-pattern-lookahead', { ...LORA_CONFIG, alpha_pattern: { '(?=q)q_proj': 16 } });
  adapter('target-regex-backreference', { ...LORA_CONFIG, target_modules: '(.*)\\1' });
  adapter('layers-pattern-catastrophic', { ...LORA_CONFIG, layers_to_transform: [1], layers_pattern: '(l|a|y|e|r|s|la|ay|ye|er|rs)*+' });
  adapter('exclude-regex-broken', { ...LORA_CONFIG, exclude_modules: '[q_proj' });
  adapter('duplicate-key-r', json(LORA_CONFIG).replace('"r": 4,', '"r": 4,\n  "r": 64,'));
  adapter('bom', `\ufeff${json(LORA_CONFIG)}`);
  adapter('rank-1e9', { ...LORA_CONFIG, r: 1e9 });
  adapter('alpha-infinite', json(LORA_CONFIG).replace('"lora_alpha": 8', '"lora_alpha": 1e400'));
  adapter('peft-type-ia3', { ...LORA_CONFIG, peft_type: 'IA3' });
  adapter('layer-beyond-any-model', LORA_CONFIG, writeSafetensors(loraTensors({ layer: '99999' })));
  adapter('layer-index-20-digits', LORA_CONFIG, writeSafetensors(loraTensors({ layer: '99999999999999999999' })));
  adapter('nan-in-lora-a', LORA_CONFIG, writeSafetensors(loraTensors({ a: withValue(f32(64), 5, NaN) })));
  adapter('inf-in-lora-b', LORA_CONFIG, writeSafetensors(loraTensors({ b: withValue(f32(64), 63, -Infinity) })));
  adapter('missing-lora-b', LORA_CONFIG, writeSafetensors(loraTensors({ dropB: true })));
  adapter('unknown-module', { ...LORA_CONFIG, target_modules: ['foo_proj'] }, writeSafetensors(loraTensors({ kind: 'foo_proj' })));
  adapter('integer-lora-a', LORA_CONFIG, writeSafetensors(loraTensors({ dtype: 'I32' })));
  adapter('weights-with-hole', LORA_CONFIG, rawSafetensors({
    'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': { dtype: 'F32', shape: [4, 16], data_offsets: [0, 256] },
    'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight': { dtype: 'F32', shape: [16, 4], data_offsets: [260, 516] },
  }, 516));

  // ---- .npy --------------------------------------------------------------------------------------------
  const npy = (name: string, bytes: Uint8Array): void => inspectFile('npy', name, '.npy', bytes);
  npy('unclosed-dict', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8));
  npy('duplicate-key', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (4,), }", 16));
  npy('extra-key', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'evil': 1, }", 8));
  npy('missing-shape', rawNpy("{'descr': '<f4', 'fortran_order': False, }", 8));
  npy('text-after-dict', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } {'shape': (4,)}", 8));
  npy('unclosed-tuple', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, }", 8));
  npy('shape-list', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8));
  npy('shape-negative', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8));
  npy('shape-overflow', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", 8));
  npy('fortran-order', rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
  npy('big-endian', rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8));
  npy('structured-descr', rawNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8));
  npy('data-size-mismatch', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8));
  npy('bad-magic', enc.encode('NOTNUMPY and some more bytes'));
  npy('version-9', (() => { const b = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8); b[6] = 9; return b; })());
  npy('header-length-past-end', (() => { const b = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8); new DataView(b.buffer).setUint16(8, 60000, true); return b; })());
  npy('header-1mb', rawNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ${' '.repeat(1 << 20)}}`, 8, 2));

  // ---- .npz --------------------------------------------------------------------------------------------
  const npz = (name: string, bytes: Uint8Array): void => inspectFile('npz', name, '.npz', bytes);
  const small = writeNpy(f32(4), [4]);
  const oneGiBHeader = rawNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${GiB / 4},), }`, 0);
  npz('bomb-1gib-declared', craftZip([{ name: 'a.npy', data: oneGiBHeader, method: 8, compressed: repeatedByteDeflate(0, GiB, oneGiBHeader), declaredSize: GiB + oneGiBHeader.length, crc: 0 }]));
  const lyingHeader = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (218,), }", 0);
  npz('bomb-lies-about-size', craftZip([{ name: 'a.npy', data: lyingHeader, method: 8, compressed: repeatedByteDeflate(0, GiB, lyingHeader), declaredSize: lyingHeader.length + 872, crc: 0 }]));
  npz('bomb-header-disagrees', craftZip([{ name: 'a.npy', data: lyingHeader, method: 8, compressed: repeatedByteDeflate(0, 512 * 1024 ** 2, lyingHeader), declaredSize: 512 * 1024 ** 2 + lyingHeader.length, crc: 0 }]));
  npz('crc-mismatch', craftZip([{ name: 'a.npy', data: small, crc: (crc32(small) ^ 1) >>> 0 }]));
  npz('flipped-bit-stored', (() => { const z = craftZip([{ name: 'a.npy', data: small }]); z[30 + 5 + small.length - 2] ^= 0x10; return z; })());
  npz('broken-central-directory', (() => { const z = craftZip([{ name: 'a.npy', data: small }]); new DataView(z.buffer).setUint32(z.length - 6, 3, true); return z; })());
  npz('truncated', writeNpz({ a: { data: f32(64), shape: [64] } }).slice(0, 200));
  npz('no-npy-entries', craftZip([{ name: 'readme.txt', data: strToU8('hello') }]));
  npz('encrypted-entry', craftZip([{ name: 'a.npy', data: small, flags: 1 }]));
  npz('bzip2-entry', craftZip([{ name: 'a.npy', data: small, method: 12 }]));
  npz('duplicate-entries', craftZip([{ name: 'a.npy', data: small }, { name: 'a.npy', data: writeNpy(f32(2), [2]) }]));
  npz('overlapping-entries', craftZip([{ name: 'a.npy', data: small }, { name: 'b.npy', data: small, shareWith: 0 }]));
  npz('local-name-differs', craftZip([{ name: 'a.npy', data: small, localName: 'b.npy' }]));
  npz('bad-npy-inside', craftZip([{ name: 'a.npy', data: rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8) }]));
  npz('path-traversal-entry', craftZip([{ name: '../a.npy', data: small }]));
  npz('empty-file', new Uint8Array(0));

  // ---- Gemma Scope npz (inspect a file not called params.npz: the message must name it) ---------------
  const gs = (name: string, edit: (a: ReturnType<typeof gemmaScopeArrays>) => void, compress = false): void => {
    const arrays = gemmaScopeArrays();
    edit(arrays);
    inspectFile('gemma-scope', name, '.npz', writeNpz(arrays, { compress }));
  };
  gs('nan-in-w-enc', (a) => { a.W_enc.data = withValue(a.W_enc.data, 7, NaN); });
  gs('inf-in-threshold', (a) => { a.threshold.data = withValue(a.threshold.data, 0, Infinity); });
  gs('w-dec-wrong-shape', (a) => { a.W_dec = { data: f32(16 * 31), shape: [31, 16] }; });
  gs('missing-threshold', (a) => { delete (a as Partial<typeof a>).threshold; });
  gs('w-enc-3d', (a) => { a.W_enc.shape = [4, 4, 32]; });
  gs('negative-threshold', (a) => { a.threshold.data = withValue(a.threshold.data, 3, -1); });
  const gsZip = writeNpz(gemmaScopeArrays(), { compress: true });
  inspectFile('gemma-scope', 'flipped-bit-compressed', '.npz', (() => {
    const z = gsZip.slice();
    const v = new DataView(z.buffer);
    z[30 + v.getUint16(26, true) + v.getUint16(28, true) + 40] ^= 0x01;
    return z;
  })());
  inspectFile('gemma-scope', 'w-enc-int', '.npz', writeNpz({ ...gemmaScopeArrays(), W_enc: { data: new Int32Array(512) as unknown as Float32Array, shape: [16, 32] } }));

  // ---- SAELens folder ----------------------------------------------------------------------------------
  const saeCfg = { architecture: 'standard', d_in: 16, d_sae: 32, apply_b_dec_to_input: true, normalize_activations: 'none' };
  const saelens = (name: string, cfgText: string | object, tensorsOver: Partial<Record<string, TensorToWrite>> = {}): void =>
    inspectFolder('saelens', name, { 'cfg.json': typeof cfgText === 'string' ? cfgText : json(cfgText), 'sae_weights.safetensors': writeSafetensors(saelensTensors(tensorsOver)) });
  saelens('cfg-duplicate-key', json(saeCfg).replace('"d_in": 16,', '"d_in": 16,\n  "d_in": 2304,'));
  saelens('nan-in-w-dec', saeCfg, { W_dec: { dtype: 'F32', shape: [32, 16], data: withValue(f32(512), 100, NaN) } });
  saelens('inf-in-b-enc', saeCfg, { b_enc: { dtype: 'F32', shape: [32], data: withValue(f32(32), 1, Infinity) } });
  saelens('shape-disagrees-with-cfg', { ...saeCfg, d_sae: 64 });
  saelens('gated-architecture', { ...saeCfg, architecture: 'gated' });
  saelens('topk-without-k', { ...saeCfg, architecture: 'topk' });
  saelens('cfg-bom', `\ufeff${json(saeCfg)}`);

  // ---- result bundles ----------------------------------------------------------------------------------
  const good = await writeBundle({
    manifest: {
      app: { name: 'deltascope', version: '0.0.0', commit: 'adversarial' }, createdAt: '2026-01-01T00:00:00.000Z', config: {}, seeds: { run: 1 },
      inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] }, stages: { load: false, extract: false, train: false, evaluate: false },
    },
    metrics: emptyMetrics(),
    saes: [],
    figures: { 'delta-norms': '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
  });
  const bundle = (name: string, bytes: Uint8Array): void => inspectFile('bundle', name, '.zip', bytes);
  // Same length, so only the SHA-256 can tell.
  bundle('hash-mismatch', repack(good, (f) => { f.set('metrics.json', strToU8(new TextDecoder().decode(f.get('metrics.json')).replace('null', 'true'))); }));
  bundle('crc-mismatch', repack(good, () => undefined, (e) => (e.name === 'metrics.json' ? { ...e, crc: (crc32(e.data) ^ 0x80) >>> 0 } : e)));
  bundle('unlisted-entry', repack(good, (f) => { f.set('figures/extra.svg', strToU8('<svg/>')); }));
  bundle('listed-entry-missing', repack(good, (f) => { f.delete('figures/delta-norms.svg'); }));
  const badMetrics = await (async () => {
    const files = new Map(Object.entries(unzipSync(good)));
    await replaceListed(files, 'metrics.json', strToU8(JSON.stringify({ ...emptyMetrics(), layers: 'all' })));
    return craftZip([...files].map(([n, data]) => ({ name: n, data })));
  })();
  bundle('invalid-metrics', badMetrics);
  const metricsInf = await (async () => {
    const files = new Map(Object.entries(unzipSync(good)));
    await replaceListed(files, 'metrics.json', strToU8(JSON.stringify({ ...emptyMetrics(), layers: [1, 1e400] }).replace('null', '1e400')));
    return craftZip([...files].map(([n, data]) => ({ name: n, data })));
  })();
  bundle('metrics-infinite-number', metricsInf);
  const manifestBomb = enc.encode(`{"format": "deltascope-bundle", "pad": "`);
  bundle('manifest-bomb-300mib', craftZip([{ name: 'manifest.json', data: manifestBomb, method: 8, compressed: repeatedByteDeflate(0x20, 300 * 1024 ** 2, manifestBomb), declaredSize: 300 * 1024 ** 2, crc: 0 }]));
  bundle('manifest-duplicate-format', repack(good, (f) => { f.set('manifest.json', strToU8(new TextDecoder().decode(f.get('manifest.json')).replace('"format": "deltascope-bundle",', '"format": "deltascope-bundle",\n  "format": "other",'))); }));
  bundle('manifest-not-json', repack(good, (f) => { f.set('manifest.json', strToU8('{"format": ')); }));
  bundle('no-manifest', craftZip([{ name: 'readme.txt', data: strToU8('hi') }]));
  bundle('path-traversal', repack(good, (f) => { f.set('../evil.svg', strToU8('<svg/>')); }));
  bundle('broken-directory', good.slice(0, good.length - 30));
  bundle('newer-version', repack(good, (f) => { f.set('manifest.json', strToU8(new TextDecoder().decode(f.get('manifest.json')).replace(/"version": \d+,/, '"version": 99,'))); }));

  // ---- values in data (compare / train / metrics name the data file) ----------------------------------
  const goodSae = file('data/sae.npz', writeNpz(gemmaScopeArrays()));
  const nanData = file('data/nan-rows.npy', writeNpy(withValue(f32(16 * 8), 20, NaN), [8, 16]));
  cases.push({ name: 'compare-nan-data', format: 'training-data', argv: ['compare', '--sae', goodSae, '--data', nanData], given: nanData });
  const infSt = file('data/inf-rows.safetensors', writeSafetensors({ x: { dtype: 'F32', shape: [8, 16], data: withValue(f32(128), 3, Infinity) } }));
  cases.push({ name: 'compare-inf-safetensors', format: 'training-data', argv: ['compare', '--sae', goodSae, '--data', infSt], given: infSt });
  const out = path.join(dir, 'data', 'train-out');
  cases.push({ name: 'train-nan-data', format: 'training-data', argv: ['train', '--data', nanData, '--arch', 'topk', '--width', '8', '--k', '2', '--lr', '0.001', '--steps', '1', '--batch', '2', '--out', out], given: nanData });
  cases.push({ name: 'train-inf-safetensors', format: 'training-data', argv: ['train', '--data', infSt, '--arch', 'topk', '--width', '8', '--k', '2', '--lr', '0.001', '--steps', '1', '--batch', '2', '--out', out], given: infSt });
  const goodDec = file('data/dec.npy', writeNpy(f32(32 * 16), [32, 16]));
  cases.push({ name: 'metrics-nan-decoder', format: 'training-data', argv: ['metrics', '--decoders', nanData, goodDec], given: nanData });
  const nanSae = file('data/nan-sae.npz', writeNpz({ ...gemmaScopeArrays(), b_dec: { data: withValue(f32(16), 0, NaN), shape: [16] } }));
  cases.push({ name: 'compare-nan-sae', format: 'gemma-scope', argv: ['compare', '--sae', nanSae, '--data', goodDec], given: nanSae });
  return cases;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx tools/adversarial/generate.ts OUT_DIR');
  const cases = await generateCases(path.resolve(out));
  writeFileSync(path.join(out, 'cases.json'), json(cases));
  process.stdout.write(`${cases.length} cases in ${out}\n`);
}
