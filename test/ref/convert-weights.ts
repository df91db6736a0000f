// CPU reference for the weight conversion kernel: stored bytes widened independently, then the CPU quantiser
// (src/model/quantize.ts, the oracle the GPU codes must equal bit for bit).
import { f32ToF16Bits, packF16Rows, quantizeRows } from '../../src/model/quantize.js';

export type StoredDtype = 'F32' | 'BF16' | 'F16';

/** f16 bits → value, from the format's definition. */
function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
}

/** Values as a checkpoint would store them: the stored bytes and the f32 values they decode to. */
export function storeAs(w: Float32Array, dtype: StoredDtype): { bytes: Uint8Array; values: Float32Array } {
  if (dtype === 'F32') return { bytes: new Uint8Array(w.slice().buffer), values: w.slice() };
  const halves = new Uint16Array(w.length);
  const values = new Float32Array(w.length);
  const view = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < w.length; i++) {
    if (dtype === 'BF16') {
      view.setFloat32(0, w[i], true);
      halves[i] = view.getUint16(2, true); // truncation: any bf16 pattern is a valid stored weight
      view.setUint16(0, 0, true);
      values[i] = view.getFloat32(0, true);
    } else {
      halves[i] = f32ToF16Bits(w[i]);
      values[i] = f16Value(halves[i]);
    }
  }
  return { bytes: new Uint8Array(halves.buffer), values };
}

/** What the engine's f32/f16/q8/q4 weight buffers must hold for these values. */
export function convertedRef(values: Float32Array, rows: number, cols: number, format: 'f32' | 'f16' | 'q8' | 'q4'): { words: Uint32Array; scales: Float32Array | null } {
  if (format === 'f32') return { words: new Uint32Array(values.slice().buffer), scales: null };
  if (format === 'f16') return { words: packF16Rows(values, rows, cols), scales: null };
  const p = quantizeRows(values, rows, cols, format === 'q8' ? 8 : 4);
  return { words: p.words, scales: p.scales };
}
