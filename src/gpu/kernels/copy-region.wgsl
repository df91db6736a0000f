// dst[d_off + r·d_stride + c] = src[s_off + r·s_stride + c]     r < rows, c < cols; offsets/strides in elements
// Copies a [rows, cols] block between row-major matrices (a slice, a column block, a head) inside a
// compute pass, with element offsets that need no alignment (copyBufferToBuffer needs 4-byte steps and
// ends the pass). src and dst must be different buffers. Grid: x = ceil(cols / WG_X), y = ceil(rows / WG_Y).
override WG_X: u32 = 64;
override WG_Y: u32 = 4;

struct Params { rows: u32, cols: u32, s_off: u32, s_stride: u32, d_off: u32, d_stride: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let r = gid.y;
  if (r >= params.rows || c >= params.cols) { return; }
  dst[params.d_off + r * params.d_stride + c] = src[params.s_off + r * params.s_stride + c];
}
