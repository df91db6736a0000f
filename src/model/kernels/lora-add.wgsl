// Adds one stream's LoRA output to its projection output and records the output's per-token norm:
//   y[yOff + m·N + n] += d[m·N + n];   norms[normOff + m] = sqrt(Σ_n d[m·N + n]²)
// d: [rows, N] f32 (= scaling · (x Aᵀ) Bᵀ for one stream), y: the projection output (all streams),
// norms: flat f32. One workgroup per row (the local delta the analysis compares with the propagated one).
override WG: u32 = 64;

struct Params { rows: u32, cols: u32, yOff: u32, normOff: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
  if (row >= params.rows) { return; }
  var s = 0.0;
  for (var c = lid; c < params.cols; c += WG) {
    let v = d[row * params.cols + c];
    y[params.yOff + row * params.cols + c] += v;
    s += v * v;
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { norms[params.normOff + row] = sqrt(partial[0]); }
}
