// The up-projections of every adapter that adapts one projection, added to their streams' outputs, in one
// dispatch, with each output's per-token norm (the local delta the analysis compares with the propagated one):
//   d_a[t, o] = scale_a · sum_{q < r_a} u[t, col0_a + q] · B_a[o, q]
//   y[(stream_a·T + t)·N + o] += d_a[t, o];   norms[normSlot_a·T + t] = ||d_a[t, :]||
// u: [T, R] from lora-down; B: the adapters' lora_B [N, r_a] matrices concatenated (adapter a's from bOff_a);
// adapterInfo: [adapters, 8] u32 = (stream, col0, r, bOff, normSlot, bitcast scale, 0, 0); y: [streams·T, N].
// One workgroup per (adapter, token); its WG threads stride over the N outputs and reduce the norm.
override WG: u32 = 64;

struct Params { T: u32, N: u32, R: u32, adapters: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> adapterInfo: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> norms: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
  if (row >= params.adapters * params.T) { return; }
  let ad = row / params.T;
  let t = row % params.T;
  let stream = adapterInfo[ad * 8u];
  let col0 = adapterInfo[ad * 8u + 1u];
  let r = adapterInfo[ad * 8u + 2u];
  let bOff = adapterInfo[ad * 8u + 3u];
  let normSlot = adapterInfo[ad * 8u + 4u];
  let scale = bitcast<f32>(adapterInfo[ad * 8u + 5u]);
  let N = params.N;
  let urow = t * params.R + col0;
  let yrow = (stream * params.T + t) * N;
  var s = 0.0;
  for (var o = lid; o < N; o += WG) {
    var acc = 0.0;
    let brow = bOff + o * r;
    for (var q = 0u; q < r; q++) { acc = fma(u[urow + q], b[brow + q], acc); }
    let v = scale * acc;
    y[yrow + o] += v;
    s = fma(v, v, s);
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { norms[normSlot * params.T + t] = sqrt(partial[0]); }
}
