// Weight gradient of a sparse code through its CSR lists, for the latent shard [c0, c0 + mc):
//   dW[i - c0, c] = beta·dW[i - c0, c] + sum_{e in list(i)} s(val[e]) · Y[e / kk, c]
//   s = relu (reluVals = 1: decoder gradient, val = pre-activations) or identity (encoder gradient, val = g_pre)
// offsets [m + 1], entries [rows·kk] from sae-csr; Y [rows, d]; dW [mc, d]. One thread per (i - c0, c).
override WG: u32 = 64;

struct Params { mc: u32, d: u32, c0: u32, kk: u32, reluVals: u32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> entries: array<u32>;
@group(0) @binding(3) var<storage, read> val: array<f32>;
@group(0) @binding(4) var<storage, read> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.mc * params.d) { return; }
  let il = t / params.d;
  let c = t % params.d;
  let i = params.c0 + il;
  var acc = 0.0;
  for (var p = offsets[i]; p < offsets[i + 1u]; p++) {
    let e = entries[p];
    var v = val[e];
    if (params.reluVals != 0u) { v = max(v, 0.0); }
    acc = fma(v, y[(e / params.kk) * params.d + c], acc);
  }
  if (params.beta != 0.0) { acc += params.beta * dw[t]; }
  dw[t] = acc;
}
