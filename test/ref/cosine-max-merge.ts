/**
 * best[offset + r] ← (v, k + indexOffset) where (v, k) = the first max over t of part[r, t], when `first` or
 * v > best[offset + r]; float64, from the kernel's formula.
 */
export function cosineMaxMergeRef(
  partVal: ArrayLike<number>,
  partIdx: ArrayLike<number>,
  rows: number,
  tiles: number,
  bestVal: Float64Array,
  bestIdx: Int32Array,
  offset: number,
  indexOffset: number,
  first: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    let v = partVal[r * tiles];
    let k = partIdx[r * tiles];
    for (let t = 1; t < tiles; t++) {
      if (partVal[r * tiles + t] > v) {
        v = partVal[r * tiles + t];
        k = partIdx[r * tiles + t];
      }
    }
    if (first || v > bestVal[offset + r]) {
      bestVal[offset + r] = v;
      bestIdx[offset + r] = k + indexOffset;
    }
  }
}
