import { CancelledError } from '../../errors/index.js';
import type { ProgressCallback } from '../../progress/index.js';
import { ActivationStore, exportActivations, exportStoredTensor, storageEstimate, type RunManifest, type StreamName } from '../../store/index.js';
import { runExtraction, type ExtractRequest } from './request.js';

/** A run as listed in the UI. */
export interface RunSummary {
  runId: string;
  label: string;
  createdAt: string;
  updatedAt: string;
  layers: number[];
  adapters: string[];
  dtype: 'f16' | 'f32';
  tokens: number;
  shardsDone: number;
  shards: number;
  bytes: number;
  complete: boolean;
}

/** How an extract() call ended: finished, or paused (resume by calling extract() again with the same request). */
export interface ExtractOutcome {
  status: 'complete' | 'paused';
  runId: string;
  manifest: RunManifest;
}

export function summarizeRun(m: RunManifest): RunSummary {
  return {
    runId: m.runId,
    label: m.label,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    layers: m.layers,
    adapters: m.adapters.map((a) => a.name),
    dtype: m.dtype,
    tokens: m.numSequences * m.seqLen,
    shardsDone: m.shards.length,
    shards: m.numShards,
    bytes: m.shards.reduce((a, s) => a + s.bytes, 0),
    complete: m.complete,
  };
}

/**
 * The extraction service behind workers/extract.worker.ts (Comlink): long calls take a jobId and a
 * proxied onProgress; pause(jobId) stops after the current forward pass with the store consistent,
 * cancel(jobId) does the same but the call rejects with CancelledError. `onShard` hears of each stored
 * shard and is awaited before the next one starts, so a pause it asks for takes effect right there.
 */
export function createExtractApi(store: ActivationStore = ActivationStore.open()) {
  const jobs = new Map<string, { controller: AbortController; paused: boolean }>();
  return {
    async extract(jobId: string, req: ExtractRequest, onProgress?: ProgressCallback, onShard?: (run: RunSummary) => void | Promise<void>): Promise<ExtractOutcome> {
      if (jobs.has(jobId)) throw new Error(`job ${jobId} is already running`);
      const job = { controller: new AbortController(), paused: false };
      jobs.set(jobId, job);
      let runId = '';
      try {
        const r = await runExtraction(req, {
          store,
          signal: job.controller.signal,
          onProgress,
          onShard: async (m) => {
            runId = m.runId;
            await onShard?.(summarizeRun(m));
          },
        });
        return { status: 'complete', runId: r.runId, manifest: r.manifest };
      } catch (e) {
        if (e instanceof CancelledError && job.paused && runId) return { status: 'paused', runId, manifest: await store.manifest(runId) };
        throw e;
      } finally {
        jobs.delete(jobId);
      }
    },
    pause(jobId: string): void {
      const job = jobs.get(jobId);
      if (!job) return;
      job.paused = true;
      job.controller.abort(new CancelledError('extraction'));
    },
    cancel(jobId: string): void {
      jobs.get(jobId)?.controller.abort(new CancelledError('extraction'));
    },
    async listRuns(): Promise<RunSummary[]> {
      return (await store.listRuns()).map(summarizeRun);
    },
    async inspectRun(runId: string): Promise<RunManifest | null> {
      return (await store.getManifest(runId)) ?? null;
    },
    async deleteRun(runId: string): Promise<void> {
      await store.deleteRun(runId);
    },
    /** One stored stream as .npy or safetensors bytes. */
    exportTensor(runId: string, layer: number, stream: StreamName, format: 'npy' | 'safetensors'): Promise<Uint8Array> {
      return exportStoredTensor(store, runId, layer, stream, format);
    },
    exportActivations(runId: string) {
      return exportActivations(store, runId);
    },
    storageEstimate() {
      return storageEstimate();
    },
  };
}

export type ExtractApi = ReturnType<typeof createExtractApi>;
