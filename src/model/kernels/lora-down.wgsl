// The down-projections of every adapter that adapts one projection, in one dispatch:
//   u[t, j] = sum_i x[(stream[j]·T + t)·K + i] · A[j, i]        j < R, t < T
// A: [R, K] f32, the adapters' lora_A matrices stacked row-wise (adapter a owns rows col0_a .. col0_a + r_a);
// stream: [R] u32, the stream whose rows column j reads (adapter a reads stream a + 1); x: [streams·T, K];
// u: [T, R]. One thread per (column j, TOK consecutive tokens): each A value read serves TOK tokens.
override WG: u32 = 64;
const TOK: u32 = 4u;

struct Params { T: u32, K: u32, R: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> stream: array<u32>;
@group(0) @binding(4) var<storage, read_write> u: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let groups = (params.T + TOK - 1u) / TOK;
  let g = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (g >= params.R * groups) { return; }
  // adjacent threads take adjacent token groups of one column: they share the A row
  let j = g / groups;
  let t0 = (g % groups) * TOK;
  let n = min(TOK, params.T - t0);
  let K = params.K;
  let row0 = (stream[j] * params.T + t0) * K;
  let arow = j * K;
  var acc = vec4f(0.0);
  for (var i = 0u; i < K; i++) {
    let w = a[arow + i];
    for (var q = 0u; q < n; q++) { acc[q] = fma(x[row0 + q * K + i], w, acc[q]); }
  }
  for (var q = 0u; q < n; q++) { u[(t0 + q) * params.R + j] = acc[q]; }
}
