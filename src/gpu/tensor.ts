/** Element types a GPU buffer can hold. f16 needs the `shader-f16` feature. */
export type GpuDtype = 'f32' | 'f16' | 'u32' | 'i32';

export const BYTES_PER_ELEMENT: Record<GpuDtype, number> = { f32: 4, f16: 2, u32: 4, i32: 4 };

/** A typed view of (part of) a GPU buffer. Row-major; `shape` is informational for wrappers' checks. */
export interface GpuTensor {
  readonly buffer: GPUBuffer;
  readonly shape: readonly number[];
  readonly dtype: GpuDtype;
  /** Offset of the first element inside `buffer`, in bytes (a multiple of minStorageBufferOffsetAlignment). */
  readonly offsetBytes: number;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function tensorBytes(t: Pick<GpuTensor, 'shape' | 'dtype'>): number {
  return numel(t.shape) * BYTES_PER_ELEMENT[t.dtype];
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws with the tensor's name and both shapes when `t` does not have `expected` (-1 = any). */
export function expectShape(name: string, t: Pick<GpuTensor, 'shape'>, expected: readonly number[]): void {
  const ok = t.shape.length === expected.length && expected.every((e, i) => e === -1 || e === t.shape[i]);
  if (!ok) throw new Error(`${name}: expected shape ${shapeString(expected)}, got ${shapeString(t.shape)}`);
}
