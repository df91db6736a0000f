import { parseNpy, SafetensorsFile } from '../../src/formats/index.js';
import type { SaeArch, SaeParams } from '../../src/sae/index.js';
import { randomArray } from './assert.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

export type FixtureArch = 'relu' | 'topk' | 'jumprelu';

/**
 * after_step1 / final tolerance. ReLU-L1 leaves some W_enc gradients at ~1e-6 of max|g| (cancellation), where
 * float32 summation order decides a few percent of the value; Adam's first steps (update ≈ lr·g/(|g| + eps))
 * turn that into ~1e-4 of max|W_enc| (measured 1.9e-4 with the shared gemm). So ReLU gets the 1e-3;
 * TopK and JumpReLU meet the README's 1e-4.
 */
export const PARAM_TOL: Record<FixtureArch, number> = { relu: 1e-3, topk: 1e-4, jumprelu: 1e-4 };

export interface TrainingFixture {
  arch: FixtureArch;
  hyper: { lr: number; batch_size: number; steps: number; d: number; m: number; k?: number; l1_coefficient?: number; l0_coefficient?: number; bandwidth?: number };
  /** [2048, 64] */
  data: Float32Array;
  order: Int32Array;
  loss: Float32Array;
  mse: Float32Array;
  l0: Float32Array;
  init: SaeParams;
  files: Record<'grads_step0' | 'after_step1' | 'final', SafetensorsFile>;
}

async function npyF32(path: string): Promise<Float32Array> {
  return parseNpy(await fixtureBytes(path), path).data as Float32Array;
}

export async function npyI32(path: string): Promise<Int32Array> {
  return parseNpy(await fixtureBytes(path), path).data as Int32Array;
}

export async function fixtureSafetensors(path: string): Promise<SafetensorsFile> {
  return SafetensorsFile.open(await fixtureBytes(path), path);
}

export async function trainingData(): Promise<Float32Array> {
  return npyF32('training/data.npy');
}

/** The fixtures' 50-step training run of one architecture (README §7 / §7b). */
export async function loadTrainingFixture(arch: FixtureArch): Promise<TrainingFixture> {
  const dir = `training/${arch}`;
  const hyper = await fixtureJson<TrainingFixture['hyper']>(`${dir}/hyper.json`);
  const init = await fixtureSafetensors(`${dir}/init.safetensors`);
  const params: SaeParams = {
    arch: arch as SaeArch, d: hyper.d, m: hyper.m,
    W_enc: await init.readF32('W_enc'), b_enc: await init.readF32('b_enc'), W_dec: await init.readF32('W_dec'), b_dec: await init.readF32('b_dec'),
    ...(arch === 'jumprelu' ? { log_theta: await init.readF32('log_theta') } : {}),
    ...(arch === 'topk' ? { k: hyper.k } : {}),
    applyBDecToInput: false,
  };
  return {
    arch, hyper, data: await trainingData(), order: await npyI32(`${dir}/batch_indices.npy`),
    loss: await npyF32(`${dir}/loss.npy`), mse: await npyF32(`${dir}/mse.npy`), l0: await npyF32(`${dir}/l0.npy`),
    init: params,
    files: {
      grads_step0: await fixtureSafetensors(`${dir}/grads_step0.safetensors`),
      after_step1: await fixtureSafetensors(`${dir}/after_step1.safetensors`),
      final: await fixtureSafetensors(`${dir}/final.safetensors`),
    },
  };
}

/** Rows `indices` of data [n, d]. */
export function gatherRows(data: Float32Array, d: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * d);
  for (let r = 0; r < indices.length; r++) out.set(data.subarray(indices[r] * d, (indices[r] + 1) * d), r * d);
  return out;
}

/** Each row's k latent indices in ascending order (the fixtures store TopK selections sorted). */
export function sortedRows(idx: Uint32Array, k: number): Uint32Array {
  const out = Uint32Array.from(idx);
  for (let r = 0; r < out.length; r += k) out.subarray(r, r + k).sort();
  return out;
}

/** A random code: kk distinct latents per row (some slots empty), values of both signs. */
export function randomCode(rows: number, kk: number, m: number, seed: number): { val: Float32Array; idx: Uint32Array } {
  const r = randomArray(rows * kk * 2, seed);
  const idx = new Uint32Array(rows * kk);
  for (let b = 0; b < rows; b++) {
    const used = new Set<number>();
    for (let j = 0; j < kk; j++) {
      let i = Math.floor(((r[(b * kk + j) * 2] + 1) / 2) * m) % m;
      while (used.has(i)) i = (i + 1) % m;
      used.add(i);
      idx[b * kk + j] = j === kk - 1 && b % 5 === 0 ? 0xffffffff : i;
    }
  }
  return { val: Float32Array.from({ length: rows * kk }, (_, e) => r[e * 2 + 1]), idx };
}
