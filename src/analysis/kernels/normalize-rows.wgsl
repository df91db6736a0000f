// Unit rows, written column-major for vec4 loads of 4 consecutive rows:
//   yT[j, r] = x[r, j] / ‖x[r, :]‖₂   for r < rows, j < cols (an all-zero row stays zero)
//   yT[j, r] = 0                      for rows ≤ r < padded (padding to a multiple of 4 rows)
// x: [rows, cols] f32;  yT: [cols, padded] f32, padded = 4·ceil(rows / 4).
// One thread per row (rows are long and many; no barriers, which SwiftShader handles badly).
override WG: u32 = 64;

struct Params { rows: u32, cols: u32, padded: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> yT: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (r >= params.padded) { return; }
  if (r >= params.rows) {
    for (var j = 0u; j < params.cols; j++) { yT[j * params.padded + r] = 0.0; }
    return;
  }
  let src = r * params.cols;
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) {
    let v = x[src + j];
    s += v * v;
  }
  let inv = select(0.0, inverseSqrt(s), s > 0.0);
  for (var j = 0u; j < params.cols; j++) { yT[j * params.padded + r] = x[src + j] * inv; }
}
