/** One scalar field of a kernel's uniform `Params` struct, in declaration order. */
export type ParamField = { u32: number } | { i32: number } | { f32: number };

/**
 * Packs scalar fields the way WGSL lays out a struct of u32/i32/f32 members (4 bytes each, in order),
 * padded to 16 bytes as uniform buffers require. Structs with vectors need their own packing.
 */
export function packParams(fields: readonly ParamField[]): ArrayBuffer {
  const bytes = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  const buf = new ArrayBuffer(bytes);
  const view = new DataView(buf);
  fields.forEach((f, i) => {
    if ('u32' in f) {
      if (!Number.isInteger(f.u32) || f.u32 < 0 || f.u32 > 0xffffffff) throw new Error(`param ${i}: ${f.u32} is not a u32`);
      view.setUint32(i * 4, f.u32, true);
    } else if ('i32' in f) view.setInt32(i * 4, f.i32, true);
    else view.setFloat32(i * 4, f.f32, true);
  });
  return buf;
}
