/** dst[dOff + r·dStride + c] = src[sOff + r·sStride + c], on a float64 copy of dst. */
export function copyRegionRef(
  src: ArrayLike<number>, sOff: number, sStride: number,
  dst: ArrayLike<number>, dOff: number, dStride: number,
  rows: number, cols: number,
): Float64Array {
  const out = Float64Array.from(dst);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[dOff + r * dStride + c] = src[sOff + r * sStride + c];
  return out;
}
