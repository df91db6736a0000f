// Both weight gradients of a TopK code in one pass over its CSR lists, for the latent shard [c0, c0 + mc):
//   dDec[i - c0, c] = beta·dDec + sum_{e in list(i)} relu(val[e]) · gy[e / kk, c]     (decoder, val = pre-activations)
//   dEnc[i - c0, c] = beta·dEnc + sum_{e in list(i)} g[e]        · x[e / kk, c]      (encoder, g = d loss / d code)
// offsets [m + 1], entries [rows·kk] from sae-csr; gy, x [rows, d]; dDec, dEnc [mc, d].
// One thread per (latent, group of COLS columns): a latent's list is walked once for 2·COLS sums, which
// divides the list traversals (and the threads) by 2·COLS. Sums run in list order: deterministic.
// Entry point main4 (d % 4 = 0) does the same for 8 columns per thread as two vec4, which CPU adapters run
// several times faster (identical sums: same order, same fma per column).
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
// vec4 views for main4 (no entry point uses both views of one binding)
@group(0) @binding(5) var<storage, read> gy4: array<vec4f>;
@group(0) @binding(6) var<storage, read> x4: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> dDec4: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> dEnc4: array<vec4f>;

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

@compute @workgroup_size(WG)
fn main4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let d4 = params.d / 4u;
  let groups = (d4 + 1u) / 2u;
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.mc * groups) { return; }
  let il = t / groups;
  let a4 = (t % groups) * 2u;
  // the second vec4 is past the row when d4 is odd: it reads the first again and is not stored
  let b4 = select(a4, a4 + 1u, a4 + 1u < d4);
  let i = params.c0 + il;
  var decA = vec4f(0.0);
  var decB = vec4f(0.0);
  var encA = vec4f(0.0);
  var encB = vec4f(0.0);
  let end = offsets[i + 1u];
  for (var p = offsets[i]; p < end; p++) {
    let e = entries[p];
    let a = vec4f(max(val[e], 0.0));
    let b = vec4f(g[e]);
    let row = (e / params.kk) * d4;
    decA = fma(a, gy4[row + a4], decA);
    decB = fma(a, gy4[row + b4], decB);
    encA = fma(b, x4[row + a4], encA);
    encB = fma(b, x4[row + b4], encB);
  }
  let out = il * d4;
  if (params.beta != 0.0) {
    decA += params.beta * dDec4[out + a4];
    decB += params.beta * dDec4[out + b4];
    encA += params.beta * dEnc4[out + a4];
    encB += params.beta * dEnc4[out + b4];
  }
  dDec4[out + a4] = decA;
  dEnc4[out + a4] = encA;
  if (b4 != a4) {
    dDec4[out + b4] = decB;
    dEnc4[out + b4] = encB;
  }
}
