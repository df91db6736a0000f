// Reconstruction error and its gradient, one thread per row b < rows:
//   e[b, c] = xhat[b, c] + (useExtra ? extra[b, c] : 0) - x[b, c]
//   g[b, c] = s · e[b, c],  s = coef · (useScale ? scale[1] : 1);   sse[b] = sum_c e[b, c]^2
// Main loss: xhat = x̂, coef = 2/B (d mse / d x̂).  AuxK: xhat = ê, extra = x̂ (so e = ê - (x - x̂)),
// coef = 2·alpha/B and scale[1] = min(dead / k_aux, 1) written on the GPU by sae-stats.
// xhat, extra, x, g: [rows, d] f32; sse: [rows]; scale: [4].
override WG: u32 = 64;

struct Params { rows: u32, d: u32, coef: f32, useExtra: u32, useScale: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xhat: array<f32>;
@group(0) @binding(2) var<storage, read> extra: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<storage, read_write> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> sse: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (b >= params.rows) { return; }
  var s = params.coef;
  if (params.useScale != 0u) { s *= scale[1]; }
  var acc = 0.0;
  for (var c = 0u; c < params.d; c++) {
    let t = b * params.d + c;
    var e = xhat[t] - x[t];
    if (params.useExtra != 0u) { e = xhat[t] + extra[t] - x[t]; }
    g[t] = s * e;
    acc = fma(e, e, acc);
  }
  sse[b] = acc;
}
