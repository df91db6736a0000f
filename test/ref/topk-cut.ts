/** The k-th largest value of each row (by sorting), float64. */
export function kthLargestRef(x: ArrayLike<number>, rows: number, m: number, k: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from({ length: m }, (_, i) => x[r * m + i]).sort((a, b) => b - a)[k - 1];
  return out;
}

/** The order-preserving u32 key of an f32 (as the kernel defines it), to map a cut back to its value. */
export function f32FromKey(key: number): number {
  const bits = key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}
