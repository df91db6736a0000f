import { InputError } from '../errors/index.js';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../formats/index.js';
import type { TrainConfig } from './config.js';
import type { ParamTensors } from './optimizer.js';
import type { SamplerState } from './sampler.js';
import type { SaeParams } from './sae-gpu.js';
import type { StepLog, TrainerState } from './trainer.js';

export const CHECKPOINT_FORMAT = 'deltascope-sae-checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * Everything needed to continue a run on the same trajectory: configuration, parameters, Adam moments,
 * completed steps, dead-latent window, sampler position, and the log so far. Independent of the shard
 * plan, so a run may resume on a device with other limits. Plain data: structured-clone-able for IndexedDB.
 */
export interface SaeCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  config: TrainConfig;
  state: Required<TrainerState>;
  sampler: SamplerState;
  log: StepLog[];
}

const PARAM_NAMES = ['W_enc', 'b_enc', 'W_dec', 'b_dec', 'log_theta'] as const;

function shapeOf(name: string, d: number, m: number): number[] {
  return name === 'W_enc' ? [d, m] : name === 'W_dec' ? [m, d] : name === 'b_dec' ? [d] : [m];
}

/** The parameter tensors of an SAE under their fixture / SAELens names. */
export function paramTensors(p: SaeParams): ParamTensors {
  return { W_enc: p.W_enc, b_enc: p.b_enc, W_dec: p.W_dec, b_dec: p.b_dec, ...(p.log_theta ? { log_theta: p.log_theta } : {}) };
}

/** A checkpoint as one safetensors file (tensors + JSON metadata), for files and downloads. */
export function checkpointToBytes(ck: SaeCheckpoint): Uint8Array {
  const { d, m } = ck.config;
  const tensors: Record<string, TensorToWrite> = {};
  const groups: [string, Record<string, Float32Array | undefined>][] = [
    ['param', paramTensors(ck.state.params)],
    ['adam_m', ck.state.adamM],
    ['adam_v', ck.state.adamV],
  ];
  for (const [prefix, src] of groups) {
    for (const n of PARAM_NAMES) {
      const data = src[n];
      if (data) tensors[`${prefix}.${n}`] = { dtype: 'F32', shape: shapeOf(n, d, m), data };
    }
  }
  tensors.since = { dtype: 'I32', shape: [m], data: new Int32Array(ck.state.since.buffer, ck.state.since.byteOffset, m) };
  tensors.dead = { dtype: 'F32', shape: [ck.state.dead.length], data: ck.state.dead };
  const meta = {
    format: ck.format, version: String(ck.version), config: JSON.stringify(ck.config), step: String(ck.state.step),
    sampler: JSON.stringify(ck.sampler), log: JSON.stringify(ck.log), arch: ck.state.params.arch,
    applyBDecToInput: String(ck.state.params.applyBDecToInput), k: String(ck.state.params.k ?? 0),
  };
  return writeSafetensors(tensors, meta);
}

/** Reads a checkpoint written by checkpointToBytes; every problem is an InputError naming the file. */
export async function checkpointFromBytes(bytes: Uint8Array | ArrayBuffer, fileName: string): Promise<SaeCheckpoint> {
  const st = await SafetensorsFile.open(bytes, fileName);
  const meta = st.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) throw new InputError(fileName, `not a deltascope SAE checkpoint (format "${meta.format ?? ''}")`);
  if (Number(meta.version) !== CHECKPOINT_VERSION) throw new InputError(fileName, `checkpoint version ${meta.version} is not supported (expected ${CHECKPOINT_VERSION})`);
  let config: TrainConfig;
  let sampler: SamplerState;
  let log: StepLog[];
  try {
    config = JSON.parse(meta.config) as TrainConfig;
    sampler = JSON.parse(meta.sampler) as SamplerState;
    log = JSON.parse(meta.log) as StepLog[];
  } catch (e) {
    throw new InputError(fileName, `checkpoint metadata is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const { d, m } = config;
  const read = async (prefix: string): Promise<ParamTensors> => {
    const out: ParamTensors = {};
    for (const n of PARAM_NAMES) {
      const key = `${prefix}.${n}`;
      if (!st.has(key)) continue;
      const want = shapeOf(n, d, m);
      if (st.info(key).shape.join(',') !== want.join(',')) throw new InputError(fileName, `${key} is [${st.info(key).shape}], expected [${want}]`);
      out[n] = await st.readF32(key);
    }
    for (const n of ['W_enc', 'b_enc', 'W_dec', 'b_dec'] as const) if (!out[n]) throw new InputError(fileName, `missing tensor ${prefix}.${n}`);
    return out;
  };
  const p = await read('param');
  const params: SaeParams = {
    arch: config.arch, d, m, ...(config.arch === 'topk' ? { k: config.k } : {}),
    W_enc: p.W_enc, b_enc: p.b_enc, W_dec: p.W_dec, b_dec: p.b_dec, ...(p.log_theta ? { log_theta: p.log_theta } : {}),
    applyBDecToInput: config.applyBDecToInput,
  };
  const since = new Uint32Array(new Int32Array(await st.readRaw('since')).buffer);
  return {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, config,
    state: { params, step: Number(meta.step), adamM: await read('adam_m'), adamV: await read('adam_v'), since, dead: await st.readF32('dead') },
    sampler, log,
  };
}
