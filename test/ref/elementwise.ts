/** Float64 references for the element-wise ops, from their formulas. */
export const mulRef = (a: ArrayLike<number>, b: ArrayLike<number>, alpha: number): Float64Array => Float64Array.from(a, (v, i) => alpha * v * b[i]);
export const subRef = (a: ArrayLike<number>, b: ArrayLike<number>, alpha: number): Float64Array => Float64Array.from(a, (v, i) => v - alpha * b[i]);
export const scaleRef = (x: ArrayLike<number>, alpha: number, beta: number): Float64Array => Float64Array.from(x, (v) => alpha * v + beta);
