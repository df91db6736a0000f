import { loadLoraAdapter, modelFilesFromMap, openGemma2Checkpoint, parseNpy, type Gemma2Checkpoint, type LoraAdapter } from '../../src/formats/index.js';
import { fixtureBytes } from './fixtures.js';

/** The five fixture adapters, in the order of fixtures README §4's heatmap. */
export const ADAPTERS = ['r4', 'r8', 'r16', 'r32', 'r8-patterns'] as const;

/** A fixture model folder (`model` or `model-bf16`) opened and validated by the formats layer. */
export async function fixtureModel(dir = 'model'): Promise<Gemma2Checkpoint> {
  const files = modelFilesFromMap(
    { 'config.json': new Uint8Array(await fixtureBytes(`${dir}/config.json`)), 'model.safetensors': new Uint8Array(await fixtureBytes(`${dir}/model.safetensors`)) },
    dir,
  );
  return openGemma2Checkpoint(files);
}

export async function fixtureAdapter(name: string, base: Gemma2Checkpoint): Promise<LoraAdapter> {
  const config = new Uint8Array(await fixtureBytes(`adapters/${name}/adapter_config.json`));
  const weights = new Uint8Array(await fixtureBytes(`adapters/${name}/adapter_model.safetensors`));
  return loadLoraAdapter({ config, weights }, name, base.config);
}

export async function fixtureF32(path: string): Promise<{ data: Float32Array; shape: number[] }> {
  const a = parseNpy(await fixtureBytes(path), path);
  if (!(a.data instanceof Float32Array)) throw new Error(`${path}: expected float32, got ${a.dtype}`);
  return { data: a.data, shape: a.shape };
}

export async function fixtureIds(path: string): Promise<{ ids: Int32Array; batch: number; seq: number }> {
  const a = parseNpy(await fixtureBytes(path), path);
  if (!(a.data instanceof Int32Array)) throw new Error(`${path}: expected int32, got ${a.dtype}`);
  return { ids: a.data, batch: a.shape[0], seq: a.shape[1] };
}

/** Slice `index` of the leading axis of a row-major array. */
export function slab(data: Float32Array, index: number, count: number): Float32Array {
  const n = data.length / count;
  return data.subarray(index * n, (index + 1) * n);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}
