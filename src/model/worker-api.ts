import { CancelledError, DeltascopeError } from '../errors/index.js';
import {
  loadLoraAdapter,
  modelFilesFromMap,
  modelFilesFromUrl,
  openGemma2Checkpoint,
  type ByteSource,
  type Gemma2Config,
  type ModelFiles,
} from '../formats/index.js';
import { acquireGpu, type Gpu, type GpuInfo, type GpuTensor } from '../gpu/index.js';
import type { ProgressCallback } from '../progress/index.js';
import { GemmaEngine } from './engine.js';
import type { EngineOptions, LoraNorm } from './types.js';

/** Where the base model comes from: a base URL (HTTP Range reads) or named files (dropped folder, bytes). */
export type ModelSource = { kind: 'url'; baseUrl: string; token?: string } | { kind: 'files'; label: string; files: Record<string, ByteSource> };

export interface AdapterSource {
  /** the adapter's name (its folder name) */
  name: string;
  config: ByteSource;
  weights: ByteSource;
}

export interface LoadRequest {
  model: ModelSource;
  adapters: AdapterSource[];
  options: Omit<EngineOptions, 'onProgress' | 'signal'>;
}

export interface LoadedModel {
  config: Gemma2Config;
  adapters: string[];
  layerCount: number;
  gpu: GpuInfo;
}

/** One forward's hooks read back to the host (Float32Arrays are transferred, not copied). */
export interface HostForward {
  streams: number;
  batch: number;
  seq: number;
  hidden: number;
  /** layer → [streams, batch, seq, hidden] */
  residPost: Map<number, Float32Array>;
  /** layer → [adapters, batch, seq, hidden] */
  delta: Map<number, Float32Array>;
  residMid?: Map<number, Float32Array>;
  /** [streams, batch, seq, vocab] */
  logits?: Float32Array;
  loraNorms: LoraNorm[];
}

function modelFiles(src: ModelSource): ModelFiles {
  return src.kind === 'url' ? modelFilesFromUrl(src.baseUrl, src.token) : modelFilesFromMap(src.files, src.label);
}

/**
 * The engine behind a plain-data API, for workers/model.worker.ts (Comlink) and the CLI page: sources in,
 * host arrays out. One model at a time; `cancel()` aborts the running load or forward between batches.
 */
export function createModelApi() {
  let gpu: Promise<Gpu> | null = null;
  let engine: GemmaEngine | null = null;
  let config: Gemma2Config | null = null;
  let controller = new AbortController();
  const device = (): Promise<Gpu> => (gpu ??= acquireGpu());

  const api = {
    async load(req: LoadRequest, onProgress?: ProgressCallback): Promise<LoadedModel> {
      api.dispose();
      controller = new AbortController();
      const g = await device();
      const { config: cfg, checkpoint } = await openGemma2Checkpoint(modelFiles(req.model));
      const adapters = [];
      for (const a of req.adapters) adapters.push(await loadLoraAdapter({ config: a.config, weights: a.weights }, a.name, cfg));
      engine = await GemmaEngine.load(g, checkpoint, cfg, adapters, { ...req.options, onProgress, signal: controller.signal });
      config = cfg;
      return { config: cfg, adapters: engine.adapterNames, layerCount: engine.layerCount, gpu: g.info };
    },

    /** @param ids [batch, seq] int32, BOS first */
    async forward(ids: Int32Array, batch: number, seq: number): Promise<HostForward> {
      if (!engine || !config) throw new DeltascopeError('internal', 'forward() before load()');
      const g = await device();
      const out = await engine.forward(ids, batch, seq);
      try {
        const read = async (m: Map<number, GpuTensor>): Promise<Map<number, Float32Array>> => {
          const r = new Map<number, Float32Array>();
          for (const [l, t] of m) r.set(l, await g.read(t));
          return r;
        };
        return {
          streams: engine.streams,
          batch,
          seq,
          hidden: config.hiddenSize,
          residPost: await read(out.residPost),
          delta: await read(out.delta),
          residMid: out.residMid ? await read(out.residMid) : undefined,
          logits: out.logits ? await g.read(out.logits) : undefined,
          loraNorms: out.loraNorms,
        };
      } finally {
        out.release();
      }
    },

    cancel(): void {
      controller.abort(new CancelledError());
    },

    dispose(): void {
      engine?.dispose();
      engine = null;
      config = null;
    },
  };
  return api;
}

export type ModelApi = ReturnType<typeof createModelApi>;
