/** Float64 reference of sae-topk: per row the k best (value desc, latent asc) eligible candidates, best first. */
export function topkRef(vals: Float32Array, rows: number, n: number, k: number, idxOffset: number, eligible?: (latent: number) => boolean): { idx: number[][]; val: number[][] } {
  const idx: number[][] = [];
  const val: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const cands: [number, number][] = [];
    for (let c = 0; c < n; c++) if (!eligible || eligible(idxOffset + c)) cands.push([vals[r * n + c], idxOffset + c]);
    cands.sort((a, b) => (b[0] - a[0]) || (a[1] - b[1]));
    const top = cands.slice(0, k);
    while (top.length < k) top.push([0, 0xffffffff]);
    idx.push(top.map((t) => t[1]));
    val.push(top.map((t) => t[0]));
  }
  return { idx, val };
}
