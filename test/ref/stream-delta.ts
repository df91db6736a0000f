/** delta[a, i] = x[a + 1, i] − x[0, i] for x [streams, n], as one float32 subtraction (fixtures README §4). */
export function streamDeltaRef(x: ArrayLike<number>, streams: number, n: number): Float64Array {
  const out = new Float64Array((streams - 1) * n);
  for (let a = 0; a + 1 < streams; a++) for (let i = 0; i < n; i++) out[a * n + i] = Math.fround(x[(a + 1) * n + i] - x[i]);
  return out;
}
