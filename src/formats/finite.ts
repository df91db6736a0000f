import { InputError } from '../errors/index.js';

/** Index of the first NaN or ±Infinity, or -1. One pass; `v - v` is 0 only for finite values. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Refuses NaN or infinite values, naming the file and the tensor (or array) that holds them. */
export function assertFinite(data: ArrayLike<number>, file: string, tensor: string): void {
  const i = firstNonFinite(data);
  if (i >= 0) throw new InputError(file, `${tensor} holds ${data[i]} at element ${i} (values must be finite)`);
}
