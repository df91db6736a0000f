// A page that runs (or resumes) an extraction of the fixture model + r4/r8/r16/r32 through the real
// request path (runExtraction → IndexedDB), driven by test/e2e/extraction-reload.test.ts.
import { runExtraction, type ExtractRequest } from '../../../src/lab/index.js';
import { ActivationStore, BASE_STREAM } from '../../../src/store/index.js';

interface PageState {
  shards: number;
}

const state: PageState = { shards: 0 };
const fixtures = new URLSearchParams(location.search).get('fixtures') ?? '';

async function bytes(rel: string): Promise<Uint8Array> {
  const res = await fetch(`/@fs${fixtures}/${rel}`);
  if (!res.ok) throw new Error(`${rel}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The reference batch (4 × 24 ids, BOS first) and its first two sequences again: 6 sequences, one shard each. */
async function request(): Promise<ExtractRequest> {
  const npy = await bytes('reference/input_ids.npy');
  const headerLen = new DataView(npy.buffer).getUint16(8, true);
  const ref = new Int32Array(npy.slice(10 + headerLen).buffer);
  const ids = new Int32Array(6 * 24);
  ids.set(ref);
  ids.set(ref.subarray(0, 2 * 24), ref.length);
  const names = ['r4', 'r8', 'r16', 'r32'];
  return {
    model: { kind: 'files', label: 'model', files: { 'config.json': await bytes('model/config.json'), 'model.safetensors': await bytes('model/model.safetensors') } },
    adapters: await Promise.all(names.map(async (name) => ({ name, config: await bytes(`adapters/${name}/adapter_config.json`), weights: await bytes(`adapters/${name}/adapter_model.safetensors`) }))),
    modelDtype: 'f32',
    data: { kind: 'tokens', ids, numSequences: 6, seqLen: 24, bosId: 2 },
    options: { layers: [0, 1, 2, 3], dtype: 'f32', saveBase: true, batchSize: 1, shardBytes: 24 * 64 * 4 },
  };
}

async function run(db: string): Promise<{ runId: string; shardsWritten: number; complete: boolean }> {
  const r = await runExtraction(await request(), {
    store: ActivationStore.open(db),
    onShard: (m) => {
      state.shards = m.shards.length;
    },
  });
  return { runId: r.runId, shardsWritten: r.shardsWritten, complete: r.manifest.complete };
}

/** Shards listed in each stored run's manifest. */
async function status(db: string): Promise<{ runId: string; shards: number; complete: boolean }[]> {
  return (await ActivationStore.open(db).listRuns()).map((m) => ({ runId: m.runId, shards: m.shards.length, complete: m.complete }));
}

/** SHA-256 over every stored stream of a complete run, in a fixed order, plus its statistics. */
async function digest(db: string, runId: string): Promise<string> {
  const store = ActivationStore.open(db);
  const m = await store.manifest(runId);
  const streams = [...m.adapters.map((a) => a.name), BASE_STREAM];
  const parts: Uint8Array[] = [new TextEncoder().encode(JSON.stringify(m.stats))];
  for (const l of m.layers) for (const s of streams) parts.push(new Uint8Array((await store.readTensor(runId, l, s)).buffer));
  const all = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.byteLength;
  }
  const d = await crypto.subtle.digest('SHA-256', all);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

(globalThis as { extractionPage?: unknown }).extractionPage = { state, run, status, digest };
