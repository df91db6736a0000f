import type { MomentStats } from './stats.js';

/** Bumped whenever the stored layout changes; older manifests are reported, never misread. */
export const STORE_SCHEMA_VERSION = 1;

export type StorageDtype = 'f16' | 'f32';

/** Everything that determines a run's stored numbers; two runs with equal identities store equal data. */
export interface RunIdentity {
  /** SHA-256 (hex) fingerprint of the base model (see fingerprintModel). */
  modelSha256: string;
  /** In stream order (stream k + 1 = adapters[k]); names are the adapter folder names. */
  adapters: { name: string; sha256: string }[];
  tokenizer: { name: string; sha256: string } | null;
  /** PackedDataset.sha256 (or the hash of the token ids given directly). */
  datasetSha256: string;
  layers: number[];
  /** Weights on the GPU: f32 (reference), f16, q8, q4. */
  modelDtype: 'f32' | 'f16' | 'q8' | 'q4';
  /** How activations are stored. */
  dtype: StorageDtype;
  seqLen: number;
  /** Base and fine-tuned activations are stored too (streams BASE_STREAM and ftStream(name)). */
  saveBase: boolean;
}

/** Σ‖scaling·B·A·x‖ of one adapted module over a shard's text tokens (BOS and padding excluded). */
export interface LocalWriteSum {
  adapter: string;
  layer: number;
  /** the module's full name, e.g. model.layers.0.self_attn.q_proj */
  module: string;
  sumNorm: number;
  tokens: number;
}

export interface ShardRecord {
  index: number;
  /** Sequences [start, end) of the dataset. */
  sequenceStart: number;
  sequenceEnd: number;
  /** Bytes of all its pieces together. */
  bytes: number;
  /** What each adapted module wrote locally over this shard (absent in runs stored before it was recorded). */
  localWrites?: LocalWriteSum[];
}

export interface LayerStats {
  /** Base-model activations at this layer (recorded once per layer). */
  base: MomentStats;
  /** Per adapter name. */
  delta: Record<string, MomentStats>;
}

export interface RunManifest extends RunIdentity {
  schemaVersion: number;
  runId: string;
  /** A human label (e.g. "demo, 4 adapters"). */
  label: string;
  createdAt: string;
  updatedAt: string;
  hidden: number;
  numSequences: number;
  sequencesPerShard: number;
  numShards: number;
  /** Held-out split recorded with the dataset (indices under datasetKey). */
  heldOutFraction: number;
  splitSeed: number;
  /** Text tokens (BOS and padding excluded). */
  textTokens: number;
  /** Shards fully written, in order; a shard appears here only after every piece of it is stored. */
  shards: ShardRecord[];
  /** Running statistics per layer over the completed shards. */
  stats: Record<string, LayerStats>;
  complete: boolean;
}

/** Bytes a whole run will occupy (shards only; the manifest and dataset are small). */
export function projectedBytes(m: Pick<RunManifest, 'numSequences' | 'seqLen' | 'hidden' | 'layers' | 'adapters' | 'saveBase' | 'dtype'>): number {
  const streams = m.adapters.length * (m.saveBase ? 2 : 1) + (m.saveBase ? 1 : 0);
  return m.numSequences * m.seqLen * m.hidden * (m.dtype === 'f16' ? 2 : 4) * streams * m.layers.length;
}

/** The streams stored per layer, in a fixed order. */
export function storedStreams(m: Pick<RunIdentity, 'adapters' | 'saveBase'>, baseStream: string, ft: (name: string) => string): string[] {
  const names = m.adapters.map((a) => a.name);
  return m.saveBase ? [...names, baseStream, ...names.map(ft)] : names;
}
