/**
 * Partial maxima of c[i, j] = <a_i, b_j> (rows already unit), float64, from the kernel's formula:
 * rowVal[i, s] = max over j in strip s (rows 4·strip·s ..) of c[i, j] (first argmax),
 * colVal[j, q] = max over i in quad q (rows 4q .. 4q+3) of c[i, j],
 * hist[bin] = #{(i, j): clamp(floor((c + 1) / 2 · bins), 0, bins − 1) = bin}.
 */
export function cosineMaxTileRef(a: ArrayLike<number>, b: ArrayLike<number>, rowsA: number, rowsB: number, width: number, strip: number, bins: number) {
  const tileB = 4 * strip;
  const tilesA = Math.ceil(rowsA / 4);
  const tilesB = Math.ceil(rowsB / tileB);
  const rowVal = new Float64Array(rowsA * tilesB).fill(-Infinity);
  const rowIdx = new Int32Array(rowsA * tilesB);
  const colVal = new Float64Array(rowsB * tilesA).fill(-Infinity);
  const colIdx = new Int32Array(rowsB * tilesA);
  const cos = new Float64Array(rowsA * rowsB);
  const hist = new Float64Array(bins);
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let s = 0;
      for (let k = 0; k < width; k++) s += a[i * width + k] * b[j * width + k];
      cos[i * rowsB + j] = s;
      const r = i * tilesB + Math.floor(j / tileB);
      if (s > rowVal[r]) {
        rowVal[r] = s;
        rowIdx[r] = j;
      }
      const c = j * tilesA + Math.floor(i / 4);
      if (s > colVal[c]) {
        colVal[c] = s;
        colIdx[c] = i;
      }
      if (bins) hist[Math.min(bins - 1, Math.max(0, Math.floor(((s + 1) / 2) * bins)))]++;
    }
  }
  return { rowVal, rowIdx, colVal, colIdx, hist, cos };
}
