// Float64 references of the sparse-code kernels (sae-sparse-gather, sae-csr, sae-sparse-outer, sae-sparse-latent).
// A code is per row kk (value, latent) slots; latent 0xFFFFFFFF is an empty slot; the activation is relu(value).
const SENTINEL = 0xffffffff;

/** y[b, c] = Σ_j relu(val[b, j]) · W[idx[b, j], c] + bias[c].  W: [m, d] */
export function sparseDecodeRef(val: Float32Array, idx: Uint32Array, rows: number, kk: number, w: Float32Array, d: number, bias?: Float32Array): Float64Array {
  const y = new Float64Array(rows * d);
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < d; c++) {
      let acc = bias ? bias[c] : 0;
      for (let j = 0; j < kk; j++) {
        const i = idx[b * kk + j];
        if (i !== SENTINEL) acc += Math.max(val[b * kk + j], 0) * w[i * d + c];
      }
      y[b * d + c] = acc;
    }
  }
  return y;
}

/** out[b, j] = [val > 0] · x[b]·W[idx[b, j]] (0 for empty slots). */
export function sparseDotRef(val: Float32Array, idx: Uint32Array, rows: number, kk: number, w: Float32Array, x: Float32Array, d: number): Float64Array {
  const out = new Float64Array(rows * kk);
  for (let e = 0; e < rows * kk; e++) {
    const i = idx[e];
    if (i === SENTINEL || !(val[e] > 0)) continue;
    const b = Math.floor(e / kk);
    let acc = 0;
    for (let c = 0; c < d; c++) acc += x[b * d + c] * w[i * d + c];
    out[e] = acc;
  }
  return out;
}

/** Per-latent lists of flat slots in ascending order. */
export function csrRef(idx: Uint32Array, m: number): { offsets: number[]; entries: number[] } {
  const lists: number[][] = Array.from({ length: m }, () => []);
  idx.forEach((i, e) => {
    if (i !== SENTINEL) lists[i].push(e);
  });
  const offsets = [0];
  for (const l of lists) offsets.push(offsets[offsets.length - 1] + l.length);
  return { offsets, entries: lists.flat() };
}

/** dW[i, c] = Σ_{slots e of latent i} s(val[e]) · y[e / kk, c], s = relu or identity.  → [m, d] */
export function sparseOuterRef(val: Float32Array, idx: Uint32Array, kk: number, y: Float32Array, m: number, d: number, relu: boolean): Float64Array {
  const out = new Float64Array(m * d);
  idx.forEach((i, e) => {
    if (i === SENTINEL) return;
    const v = relu ? Math.max(val[e], 0) : val[e];
    const b = Math.floor(e / kk);
    for (let c = 0; c < d; c++) out[i * d + c] += v * y[b * d + c];
  });
  return out;
}

/** dbias[i] = Σ g[e]; fires[i] = #{val[e] > 0}; fsum[i] = Σ relu(val[e]) over latent i's slots. */
export function sparseLatentRef(val: Float32Array, g: Float32Array, idx: Uint32Array, m: number): { dbias: Float64Array; fires: Float64Array; fsum: Float64Array } {
  const dbias = new Float64Array(m);
  const fires = new Float64Array(m);
  const fsum = new Float64Array(m);
  idx.forEach((i, e) => {
    if (i === SENTINEL) return;
    dbias[i] += g[e];
    if (val[e] > 0) {
      fires[i] += 1;
      fsum[i] += val[e];
    }
  });
  return { dbias, fires, fsum };
}
