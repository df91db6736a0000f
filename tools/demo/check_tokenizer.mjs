// Checks public/demo/tokenizer with @huggingface/transformers against the ids make_demo.py's own
// BPE encoder wrote to tokenizer/expected.json (short cases + a hash of the whole dataset sample's ids).
// Usage: node tools/demo/check_tokenizer.mjs [DEMO_DIR]   (prints one JSON line; exit 1 on a mismatch)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';

const here = path.dirname(fileURLToPath(import.meta.url));
const demoDir = path.resolve(process.argv[2] ?? path.join(here, '../../public/demo'));

// Local files only: the folder name resolves under localModelPath.
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = demoDir + path.sep;

const tokenizer = await AutoTokenizer.from_pretrained('tokenizer');
const expected = JSON.parse(readFileSync(path.join(demoDir, 'tokenizer/expected.json'), 'utf8'));
const failures = [];
for (const c of expected.cases) {
  const ids = tokenizer.encode(c.text);
  if (JSON.stringify(ids) !== JSON.stringify(c.ids)) failures.push({ text: c.text, got: ids, want: c.ids });
  const decoded = tokenizer.decode(ids, { skip_special_tokens: true });
  if (decoded !== c.decoded_skip_special) failures.push({ text: c.text, decoded, want: c.decoded_skip_special });
}
for (const f of expected.files ?? []) {
  const ids = tokenizer.encode(readFileSync(path.join(demoDir, f.path), 'utf8'));
  const hash = createHash('sha256').update(Buffer.from(new Int32Array(ids).buffer)).digest('hex');
  if (ids.length !== f.n_ids || hash !== f.ids_int32le_sha256) {
    failures.push({ file: f.path, n_ids: ids.length, want_n_ids: f.n_ids, hash_equal: hash === f.ids_int32le_sha256 });
  }
}
const report = {
  passed: failures.length === 0,
  library: '@huggingface/transformers',
  class: tokenizer.constructor.name,
  bos: tokenizer.bos_token_id, eos: tokenizer.eos_token_id, pad: tokenizer.pad_token_id,
  cases: expected.cases.length, files: (expected.files ?? []).length, failures: failures.slice(0, 5),
};
console.log(JSON.stringify(report));
process.exit(report.passed ? 0 : 1);
