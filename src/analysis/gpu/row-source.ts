/** A [rows, cols] f32 matrix the GPU paths read a row range at a time (an array, or e.g. SafetensorsFile.readRows). */
export interface RowMatrix {
  rows: number;
  cols: number;
  read: (rowStart: number, rowCount: number) => Float32Array | Promise<Float32Array>;
}

/** A RowMatrix over an array already in memory. */
export function rowMatrix(data: Float32Array, rows: number, cols: number): RowMatrix {
  if (data.length !== rows * cols) throw new Error(`matrix: ${data.length} values do not fill [${rows}, ${cols}]`);
  return { rows, cols, read: (start, count) => data.subarray(start * cols, (start + count) * cols) };
}

/** Reads rows and checks the reader returned exactly what was asked. */
export async function readRows(m: RowMatrix, rowStart: number, rowCount: number): Promise<Float32Array> {
  const data = await m.read(rowStart, rowCount);
  if (data.length !== rowCount * m.cols) throw new Error(`row reader gave ${data.length} values for rows ${rowStart}+${rowCount} of width ${m.cols}`);
  return data;
}

/** A view of a pooled tensor with a smaller leading extent (the last, shorter chunk). */
export function withShape<T extends { shape: readonly number[] }>(t: T, shape: readonly number[]): T {
  return { ...t, shape: [...shape] };
}
