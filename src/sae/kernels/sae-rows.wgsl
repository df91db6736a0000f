// Per-row decoder operations on one latent shard, one thread per row i < mc (global latent c0 + i):
//   W, G: [mc, d] f32;  norms: [m];  latStats: [m, 4] (fsum in .y)
//   mode 0 (norms):     norms[c0 + i] = ||W_i||
//   mode 1 (normalise): W_i <- W_i / ||W_i||                                (TopK, JumpReLU after each step)
//   mode 2 (project):   G_i <- G_i - (G_i · u) u,  u = W_i / ||W_i||       (JumpReLU, before Adam)
//   mode 3 (L1 term):   G_i <- G_i + s · fsum_i / norms[c0 + i] · W_i     (ReLU: d(lam·l1)/dW_dec, s = lam/B)
override WG: u32 = 64;

struct Params { mc: u32, d: u32, c0: u32, mode: u32, s: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;
@group(0) @binding(4) var<storage, read> latStats: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.mc) { return; }
  let d = params.d;
  let base = i * d;
  if (params.mode == 3u) {
    let s = params.s * latStats[params.c0 + i].y / norms[params.c0 + i];
    for (var c = 0u; c < d; c++) { g[base + c] = fma(s, w[base + c], g[base + c]); }
    return;
  }
  var ss = 0.0;
  for (var c = 0u; c < d; c++) { ss = fma(w[base + c], w[base + c], ss); }
  let n = sqrt(ss);
  if (params.mode == 0u) {
    norms[params.c0 + i] = n;
  } else if (params.mode == 1u) {
    for (var c = 0u; c < d; c++) { w[base + c] = w[base + c] / n; }
  } else {
    var dotp = 0.0;
    for (var c = 0u; c < d; c++) { dotp = fma(g[base + c], w[base + c] / n, dotp); }
    for (var c = 0u; c < d; c++) { g[base + c] = g[base + c] - dotp * (w[base + c] / n); }
  }
}
