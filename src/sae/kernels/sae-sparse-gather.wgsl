// Sparse products with a [rows, kk] code (val f32, idx u32 latent or SENTINEL), over the latent
// shard [c0, c0 + mc) held by W [mc, d]; entries whose latent lies outside the shard are skipped,
// so only the k active decoder rows are read (no multiplications by zero).
//   mode 0 (decode): Y[b, c] = beta·Y[b, c] + sum_j relu(val[b, j]) · W[idx[b, j] - c0, c]
//                              (+ bias[c] when useBias)               one thread per (b, c); Y [rows, d]
//   mode 1 (dot):    Y[b, j] = [val[b, j] > 0] · sum_c X[b, c] · W[idx[b, j] - c0, c]
//                    for entries in the shard (others untouched)      one thread per (b, j); Y [rows, kk]
// X/bias share binding 4 (mode 1 reads X [rows, d], mode 0 reads bias [d]).
override WG: u32 = 64;
const SENTINEL: u32 = 0xffffffffu;

struct Params { rows: u32, kk: u32, d: u32, c0: u32, mc: u32, mode: u32, beta: f32, useBias: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> val: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> xOrBias: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

fn inShard(i: u32) -> bool {
  return i != SENTINEL && i >= params.c0 && i - params.c0 < params.mc;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  let d = params.d;
  let kk = params.kk;
  if (params.mode == 0u) {
    if (t >= params.rows * d) { return; }
    let b = t / d;
    let c = t % d;
    var acc = 0.0;
    for (var j = 0u; j < kk; j++) {
      let i = idx[b * kk + j];
      if (!inShard(i)) { continue; }
      acc = fma(max(val[b * kk + j], 0.0), w[(i - params.c0) * d + c], acc);
    }
    if (params.beta != 0.0) { acc += params.beta * y[t]; }
    if (params.useBias != 0u) { acc += xOrBias[c]; }
    y[t] = acc;
  } else {
    if (t >= params.rows * kk) { return; }
    let i = idx[t];
    if (!inShard(i)) { return; }
    if (!(val[t] > 0.0)) { y[t] = 0.0; return; }
    let b = t / kk;
    var acc = 0.0;
    for (var c = 0u; c < d; c++) { acc = fma(xOrBias[b * d + c], w[(i - params.c0) * d + c], acc); }
    y[t] = acc;
  }
}
