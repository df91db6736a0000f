// Per-row decoder operations on one latent shard, one thread per row i < mc (global latent c0 + i):
//   W, G: [mc, d] f32;  norms: [m];  latStats: [m, 4] (fsum in .y)
//   MODE 0 (norms):     norms[c0 + i] = ||W_i||
//   MODE 1 (normalise): W_i <- W_i / ||W_i||                                (TopK, JumpReLU after each step)
//   MODE 2 (project):   G_i <- G_i - (G_i · u) u,  u = W_i / ||W_i||       (JumpReLU, before Adam)
//   MODE 3 (L1 term):   G_i <- G_i + s · fsum_i / norms[c0 + i] · W_i     (ReLU: d(lam·l1)/dW_dec, s = lam/B)
// Entry point main4 (d % 4 = 0) reads the rows as vec4, which CPU adapters run faster; its sums run in
// the same order (c ascending, one fma per element), so both give identical results. The mode is an
// override, not a Params field: CPU adapters run every branch of a runtime switch.
override WG: u32 = 64;
override MODE: u32 = 0u;

struct Params { mc: u32, d: u32, c0: u32, s: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;
@group(0) @binding(4) var<storage, read> latStats: array<vec4f>;
// vec4 views for main4 (no entry point uses both views of one binding)
@group(0) @binding(1) var<storage, read_write> w4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> g4: array<vec4f>;

fn dot4(acc: f32, a: vec4f, b: vec4f) -> f32 {
  return fma(a.w, b.w, fma(a.z, b.z, fma(a.y, b.y, fma(a.x, b.x, acc))));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.mc) { return; }
  let d = params.d;
  let base = i * d;
  if (MODE == 3u) {
    let s = params.s * latStats[params.c0 + i].y / norms[params.c0 + i];
    for (var c = 0u; c < d; c++) { g[base + c] = fma(s, w[base + c], g[base + c]); }
    return;
  }
  var ss = 0.0;
  for (var c = 0u; c < d; c++) { ss = fma(w[base + c], w[base + c], ss); }
  let n = sqrt(ss);
  if (MODE == 0u) {
    norms[params.c0 + i] = n;
  } else if (MODE == 1u) {
    for (var c = 0u; c < d; c++) { w[base + c] = w[base + c] / n; }
  } else {
    var dotp = 0.0;
    for (var c = 0u; c < d; c++) { dotp = fma(g[base + c], w[base + c] / n, dotp); }
    for (var c = 0u; c < d; c++) { g[base + c] = g[base + c] - dotp * (w[base + c] / n); }
  }
}

@compute @workgroup_size(WG)
fn main4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.mc) { return; }
  let d4 = params.d / 4u;
  let base = i * d4;
  if (MODE == 3u) {
    let s = vec4f(params.s * latStats[params.c0 + i].y / norms[params.c0 + i]);
    for (var c = 0u; c < d4; c++) { g4[base + c] = fma(s, w4[base + c], g4[base + c]); }
    return;
  }
  var ss = 0.0;
  for (var c = 0u; c < d4; c++) {
    let wv = w4[base + c];
    ss = dot4(ss, wv, wv);
  }
  let n = sqrt(ss);
  if (MODE == 0u) {
    norms[params.c0 + i] = n;
  } else if (MODE == 1u) {
    for (var c = 0u; c < d4; c++) { w4[base + c] = w4[base + c] / n; }
  } else {
    var dotp = 0.0;
    for (var c = 0u; c < d4; c++) { dotp = dot4(dotp, g4[base + c], w4[base + c] / n); }
    for (var c = 0u; c < d4; c++) { g4[base + c] = g4[base + c] - dotp * (w4[base + c] / n); }
  }
}
