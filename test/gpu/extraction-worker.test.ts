import { proxy, wrap, type Remote } from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { installComlinkErrorHandler } from '../../src/errors/comlink.js';
import { CancelledError } from '../../src/errors/index.js';
import { parseNpy } from '../../src/formats/index.js';
import type { ExtractRequest, Progress, RunSummary } from '../../src/lab/index.js';
import type { ExtractWorkerApi } from '../../workers/extract.worker.js';
import { fixtureBytes } from '../helpers/fixtures.js';
import { fixtureIds } from '../helpers/model.js';

const worker = new Worker(new URL('../../workers/extract.worker.ts', import.meta.url), { type: 'module' });
installComlinkErrorHandler();
const api: Remote<ExtractWorkerApi> = wrap<ExtractWorkerApi>(worker);

async function request(dtype: 'f16' | 'f32'): Promise<ExtractRequest> {
  const bytes = async (rel: string) => new Uint8Array(await fixtureBytes(rel));
  const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
  const names = ['r4', 'r8', 'r16', 'r32'];
  return {
    model: { kind: 'files', label: 'model', files: { 'config.json': await bytes('model/config.json'), 'model.safetensors': await bytes('model/model.safetensors') } },
    adapters: await Promise.all(names.map(async (name) => ({ name, config: await bytes(`adapters/${name}/adapter_config.json`), weights: await bytes(`adapters/${name}/adapter_model.safetensors`) }))),
    modelDtype: 'f32',
    data: { kind: 'tokens', ids, numSequences: batch, seqLen: seq, bosId: 2 },
    options: { layers: [1, 3], dtype, saveBase: false, batchSize: 1, shardBytes: seq * 64 * (dtype === 'f16' ? 2 : 4) },
  };
}

describe('extraction worker (Comlink): progress, pause, resume, cancel, list, export, delete', () => {
  afterAll(() => worker.terminate());

  it('pauses after the first shard, resumes to completion, and reports progress throttled', async () => {
    const req = await request('f32');
    const seen: Progress[] = [];
    // The pause is asked for inside the first shard's callback, which the worker awaits before it starts
    // the next shard: the run stops after exactly one shard, however fast or slow the machine is.
    const paused = await api.extract(
      'job-1',
      req,
      proxy((p: Progress) => void seen.push(p)),
      proxy(async (run: RunSummary) => {
        if (run.shardsDone === 1) await api.pause('job-1');
      }),
    );
    expect(paused.status).toBe('paused');
    expect(paused.manifest.shards.length).toBe(1);
    const listed = (await api.listRuns()).find((r) => r.runId === paused.runId);
    expect(listed && [listed.complete, listed.shards, listed.tokens, listed.adapters]).toEqual([false, 4, 96, ['r4', 'r8', 'r16', 'r32']]);

    const times: number[] = [];
    const done = await api.extract(
      'job-2',
      req,
      proxy((p: Progress) => {
        times.push(performance.now());
        seen.push(p);
      }),
    );
    expect([done.status, done.runId, done.manifest.complete]).toEqual(['complete', paused.runId, true]);
    const last = seen[seen.length - 1];
    expect([last.stage, last.done, last.total]).toEqual(['extract', 96, 96]);
    // Reports are throttled to one per 100 ms in the worker; their arrival here is printed, not asserted.
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    console.log(`extraction worker: ${times.length} progress reports on resume, smallest gap ${gaps.length ? Math.min(...gaps).toFixed(0) : '-'} ms`);

    const npy = parseNpy(await api.exportTensor(done.runId, 3, 'r16', 'npy'), 'delta.npy');
    expect(npy.shape).toEqual([4, 24, 64]);
    const manifest = await api.inspectRun(done.runId);
    expect(manifest?.stats['3'].delta.r16.count).toBe(92);
    await api.deleteRun(done.runId);
    expect((await api.listRuns()).some((r) => r.runId === done.runId)).toBe(false);
  });

  it('cancel(jobId) rejects the call with a CancelledError (code kept across the worker boundary)', async () => {
    const req = await request('f16');
    const err = await api
      .extract(
        'job-3',
        req,
        proxy(() => void api.cancel('job-3')),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).code).toBe('cancelled');
    for (const r of await api.listRuns()) await api.deleteRun(r.runId);
  });
});
