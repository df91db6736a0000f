// sse[r] = Σ_j (x[r, j] − y[r, j])²        x, y: [rows, cols] f32;  sse: [rows] f32
// One thread per row; the 1-D grid may be folded into 2-D/3-D.
override WG: u32 = 64;

struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> sse: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (r >= params.rows) { return; }
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) {
    let e = x[r * params.cols + j] - y[r * params.cols + j];
    s += e * e;
  }
  sse[r] = s;
}
