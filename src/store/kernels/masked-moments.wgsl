// For every group g and column h, over the rows r with mask[r] != 0 (n of them):
//   mean[g, h] = (1/n) · Σ_r x[g, r, h]
//   m2[g, h]   = Σ_r (x[g, r, h] − mean[g, h])²      (two passes over the rows: no cancellation)
// x: [groups, rows, cols] f32;  mask: [rows] u32;  mean, m2: [groups, cols] f32.  n = 0 gives zeros.
// One thread per (g, h); neighbouring threads read neighbouring columns. The 1-D grid may be folded.
override WG: u32 = 64;

struct Params { groups: u32, rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.groups * params.cols) { return; }
  let g = i / params.cols;
  let h = i % params.cols;
  let base = g * params.rows * params.cols + h;
  var n = 0.0;
  var s = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    if (mask[r] != 0u) {
      s += x[base + r * params.cols];
      n += 1.0;
    }
  }
  let mu = select(0.0, s / n, n > 0.0);
  var q = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    if (mask[r] != 0u) {
      let d = x[base + r * params.cols] - mu;
      q += d * d;
    }
  }
  mean[i] = mu;
  m2[i] = q;
}
