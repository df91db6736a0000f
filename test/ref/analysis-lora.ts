/** Dense ΔW = scaling · B · A [out, in] in float64, straight from the PEFT formula (fixtures README §3). */
export function denseLoraDeltaRef(a: ArrayLike<number>, b: ArrayLike<number>, r: number, inDim: number, outDim: number, scaling: number): Float64Array {
  const out = new Float64Array(outDim * inDim);
  for (let o = 0; o < outDim; o++) {
    for (let i = 0; i < inDim; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += b[o * r + k] * a[k * inDim + i];
      out[o * inDim + i] = scaling * s;
    }
  }
  return out;
}

export function frobenius(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
