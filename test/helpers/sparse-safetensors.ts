// Node-only: safetensors files of any size whose zero regions cost no disk (sparse files).
import { open } from 'node:fs/promises';
import { DTYPE_BYTES, type SafetensorsDtype } from '../../src/formats/dtype.js';

export interface SparseTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian data; omitted: all zeros, left as a hole in the file. */
  data?: ArrayBufferView;
}

/**
 * Writes a valid safetensors file (header, then each tensor back to back, no trailing bytes). Tensors
 * without data are zeros that the file system stores as holes, so a 5 GB file costs a few kB of disk.
 * @returns each tensor's absolute byte offset in the file
 */
export async function writeSparseSafetensors(file: string, tensors: Record<string, SparseTensor>): Promise<Map<string, number>> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    if (t.data && t.data.byteLength !== bytes) throw new Error(`${name}: ${t.data.byteLength} bytes for [${t.shape.join(', ')}] ${t.dtype}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + headerBytes).fill(0x20, 8);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes), true);
  head.set(json, 8);
  const starts = new Map<string, number>();
  const fh = await open(file, 'w');
  try {
    await fh.truncate(head.byteLength + offset);
    await fh.write(head, 0, head.byteLength, 0);
    for (const [name, t] of Object.entries(tensors)) {
      const begin = head.byteLength + (header[name] as { data_offsets: number[] }).data_offsets[0];
      starts.set(name, begin);
      if (t.data) await fh.write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 0, t.data.byteLength, begin);
    }
  } finally {
    await fh.close();
  }
  return starts;
}

/** Values of the leading padding tensor: 2³⁰ + 1024 f32 zeros, so every real tensor lies past 4 GiB. */
export const PADDING_TENSOR = 'padding.zeros';
const PADDING_SHAPE = [2 ** 30 + 1024];

/**
 * A copy of a model folder whose model.safetensors is one file over 4 GiB: a sparse all-zero padding tensor
 * first, then every tensor of `source` (a single-file checkpoint) at offsets past 4 GiB. Other files are copied.
 */
export async function writeModelPast4GiB(sourceDir: string, dir: string): Promise<void> {
  const { copyFile, mkdir, readdir, readFile } = await import('node:fs/promises');
  const { SafetensorsFile } = await import('../../src/formats/index.js');
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(sourceDir)) if (name !== 'model.safetensors') await copyFile(`${sourceDir}/${name}`, `${dir}/${name}`);
  const st = await SafetensorsFile.open(new Uint8Array(await readFile(`${sourceDir}/model.safetensors`)), 'model.safetensors');
  const tensors: Record<string, SparseTensor> = { [PADDING_TENSOR]: { dtype: 'F32', shape: PADDING_SHAPE } };
  for (const t of st.tensors.values()) tensors[t.name] = { dtype: t.dtype, shape: [...t.shape], data: new Uint8Array(await st.readRaw(t.name)) };
  await writeSparseSafetensors(`${dir}/model.safetensors`, tensors);
}
