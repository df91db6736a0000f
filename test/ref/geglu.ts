/** gelu_tanh(g)·u in float64: 0.5·g·(1 + tanh(sqrt(2/π)·(g + 0.044715·g³)))·u. */
export function gegluRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: gate.length }, (_, i) => {
    const x = gate[i];
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))) * up[i];
  });
}
