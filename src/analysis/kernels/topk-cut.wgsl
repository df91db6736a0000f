// cut[r] = the k-th largest key(x[r, i]) over i < m, where key orders f32 as u32
//   (key(v) = bits(v) | 0x80000000 for v ≥ +0, ~bits(v) for negatives: a < b  ⇔  key(a) < key(b)).
// Found exactly by bisection on the key's bits, MSB first: cut = max c with #{i: key(x[r, i]) ≥ c} ≥ k.
// x: [rows, m] f32;  cut: [rows] u32.  One workgroup per row; 32 rounds of a workgroup count.
override WG: u32 = 64;

struct Params { rows: u32, m: u32, k: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cut: array<u32>;

var<workgroup> partial: array<u32, WG>;
var<workgroup> total: u32;

fn key(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
  // Every thread of the workgroup takes part in the barriers; rows past the end count nothing.
  let valid = r < params.rows;
  let base = min(r, params.rows - 1u) * params.m;
  var c = 0u;
  for (var bit = 31i; bit >= 0i; bit--) {
    let trial = c | (1u << u32(bit));
    var n = 0u;
    for (var i = lid; i < params.m; i += WG) {
      if (key(x[base + i]) >= trial) { n++; }
    }
    partial[lid] = n;
    workgroupBarrier();
    if (lid == 0u) {
      var s = 0u;
      for (var t = 0u; t < WG; t++) { s += partial[t]; }
      total = s;
    }
    // workgroupUniformLoad synchronises, so every thread sees the same count and keeps the same c.
    if (workgroupUniformLoad(&total) >= params.k) { c = trial; }
  }
  if (valid && lid == 0u) { cut[r] = c; }
}
