import type { AdapterSummary, BundleManifest, Gemma2Config, ModelFiles, ResultMetrics } from '../../formats/index.js';
import { emptyMetrics } from '../../formats/index.js';
import type { GpuInfo } from '../../gpu/index.js';
import type { RunConfigInput } from '../../lab/index.js';
import type { Progress } from '../../progress/index.js';
import { Store } from './store.js';

export type GpuState = { status: 'checking' } | { status: 'ready'; info: GpuInfo } | { status: 'missing'; message: string };

/** Parse state of one adapter in the setup list. */
export interface AdapterEntry {
  name: string;
  status: 'checking' | 'ok' | 'error';
  summary: AdapterSummary | null;
  detail: string;
  error: string | null;
}

export interface PretrainedEntry {
  layer: number;
  label: string;
  status: 'checking' | 'ok' | 'error';
  detail: string;
  error: string | null;
}

/** Files behind `local` sources of the draft config; kept in memory only. */
export interface Attachments {
  model: ModelFiles | null;
  tokenizer: ModelFiles | null;
  dataset: File | null;
  adapters: Map<string, ModelFiles>;
  pretrained: Map<number, ModelFiles>;
}

export type StageName = 'load' | 'extract' | 'train' | 'evaluate';
export const STAGES: StageName[] = ['load', 'extract', 'train', 'evaluate'];

export interface LogLine {
  t: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface RunState {
  status: 'idle' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
  stages: Record<StageName, Progress | null>;
  stageDone: Record<StageName, boolean>;
  log: LogLine[];
  error: string | null;
}

export interface ViewState {
  source: 'none' | 'live' | 'bundle';
  bundleName: string | null;
  manifest: BundleManifest | null;
  message: { kind: 'error' | 'info'; text: string } | null;
}

export interface AppState {
  gpu: GpuState;
  draft: RunConfigInput;
  attachments: Attachments;
  modelInfo: { status: 'none' | 'checking' | 'ok' | 'error'; text: string };
  modelConfig: Gemma2Config | null;
  adapters: AdapterEntry[];
  pretrained: PretrainedEntry[];
  hubToken: string;
  demo: { available: boolean; loading: boolean; error: string | null };
  run: RunState;
  metrics: ResultMetrics;
  view: ViewState;
}

export function emptyRun(): RunState {
  return {
    status: 'idle',
    stages: { load: null, extract: null, train: null, evaluate: null },
    stageDone: { load: false, extract: false, train: false, evaluate: false },
    log: [],
    error: null,
  };
}

/** A small, CPU-friendly starting setup; the user edits every field. */
export function defaultDraft(): RunConfigInput {
  return {
    version: 1,
    name: 'run',
    model: { kind: 'local' },
    tokenizer: null,
    dataset: { source: { kind: 'sample' }, sequences: 64, sequenceLength: 64 },
    adapters: [],
    layers: [0],
    precision: 'f32',
    sae: { architecture: 'topk', width: 512, k: 16, lr: 0.002, steps: 400, batchSize: 128, warmupSteps: 20, heldOutFraction: 0.1, evalEvery: 50 },
    pretrained: [],
    controls: { seedPair: true, randomDirections: true, randomLora: false, bootstrap: 200 },
    principalK: [8, 16],
    seed: 0,
  };
}

export function createAppStore(): Store<AppState> {
  return new Store<AppState>({
    gpu: { status: 'checking' },
    draft: defaultDraft(),
    attachments: { model: null, tokenizer: null, dataset: null, adapters: new Map(), pretrained: new Map() },
    modelInfo: { status: 'none', text: '' },
    modelConfig: null,
    adapters: [],
    pretrained: [],
    hubToken: '',
    demo: { available: false, loading: false, error: null },
    run: emptyRun(),
    metrics: emptyMetrics(),
    view: { source: 'none', bundleName: null, manifest: null, message: null },
  });
}
