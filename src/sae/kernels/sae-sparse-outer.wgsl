// Both weight gradients of a TopK code in one pass over its CSR lists, for the latent shard [c0, c0 + mc):
//   dDec[i - c0, c] = beta·dDec + sum_{e in list(i)} relu(val[e]) · gy[e / kk, c]     (decoder, val = pre-activations)
//   dEnc[i - c0, c] = beta·dEnc + sum_{e in list(i)} g[e]        · x[e / kk, c]      (encoder, g = d loss / d code)
// offsets [m + 1], entries [rows·kk] from sae-csr; gy, x [rows, d]; dDec, dEnc [mc, d].
// One thread per (latent, group of COLS columns): a latent's list is walked once for 2·COLS sums, which
// divides the list traversals (and the threads) by 2·COLS. Sums run in list order: deterministic.
override WG: u32 = 64;
const COLS: u32 = 4u;

struct Params { mc: u32, d: u32, c0: u32, kk: u32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> entries: array<u32>;
@group(0) @binding(3) var<storage, read> val: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read> gy: array<f32>;
@group(0) @binding(6) var<storage, read> x: array<f32>;
@group(0) @binding(7) var<storage, read_write> dDec: array<f32>;
@group(0) @binding(8) var<storage, read_write> dEnc: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let d = params.d;
  let groups = (d + COLS - 1u) / COLS;
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.mc * groups) { return; }
  let il = t / groups;
  let c0 = (t % groups) * COLS;
  let n = min(COLS, d - c0);
  let i = params.c0 + il;
  var dec = vec4f(0.0);
  var enc = vec4f(0.0);
  let start = offsets[i];
  let end = offsets[i + 1u];
  for (var p = start; p < end; p++) {
    let e = entries[p];
    let a = max(val[e], 0.0);
    let b = g[e];
    let row = (e / params.kk) * d + c0;
    for (var j = 0u; j < n; j++) {
      dec[j] = fma(a, gy[row + j], dec[j]);
      enc[j] = fma(b, x[row + j], enc[j]);
    }
  }
  let out = il * d + c0;
  for (var j = 0u; j < n; j++) {
    var vd = dec[j];
    var ve = enc[j];
    if (params.beta != 0.0) {
      vd += params.beta * dDec[out + j];
      ve += params.beta * dEnc[out + j];
    }
    dDec[out + j] = vd;
    dEnc[out + j] = ve;
  }
}
