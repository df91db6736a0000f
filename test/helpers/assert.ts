import { expect } from 'vitest';

type Numeric = ArrayLike<number>;

/** max|got - ref| / max|ref| (or / `scale` when given, e.g. max|resid_post| for deltas). */
export function relError(got: Numeric, ref: Numeric, scale?: number): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} != reference length ${ref.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  const denom = scale ?? maxRef;
  return denom === 0 ? maxDiff : maxDiff / denom;
}

/** Asserts relError(got, ref) <= tol, naming what broke and by how much. */
export function expectRel(got: Numeric, ref: Numeric, tol: number, what = 'array', scale?: number): number {
  const err = relError(got, ref, scale);
  expect(err, `${what}: relative error ${err.toExponential(3)} exceeds ${tol}`).toBeLessThanOrEqual(tol);
  return err;
}

export function maxAbsError(got: Numeric, ref: Numeric): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]));
  return m;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), for kernel test inputs. */
export function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
