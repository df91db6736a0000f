// norms[r] = sqrt(Σ_h x[r, h]²)        x: [rows, cols] f32;  norms: [rows] f32
// One thread per row. The 1-D grid may be folded into 2-D/3-D (see src/gpu/dispatch.ts).
override WG: u32 = 64;

struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> norms: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  var s = 0.0;
  for (var h = 0u; h < params.cols; h++) {
    let v = x[base + h];
    s += v * v;
  }
  norms[r] = sqrt(s);
}
