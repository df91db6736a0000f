// Sparse products with a [rows, kk] code (val f32, idx u32 latent or SENTINEL), over the latent
// shard [c0, c0 + mc) held by W [mc, d]; entries whose latent lies outside the shard are skipped,
// so only the k active decoder rows are read (no multiplications by zero).
//   decode: Y[b, c] = beta·Y[b, c] + sum_j relu(val[b, j]) · W[idx[b, j] - c0, c]
//                     (+ bias[c] when useBias)                        Y [rows, d]
//   dot:    Y[b, j] = [val[b, j] > 0] · sum_c X[b, c] · W[idx[b, j] - c0, c]
//           for entries in the shard (others untouched)               Y [rows, kk]
// Entry points: decode / dot, one thread per (b, c) / (b, j), any d; decode4 / dot4 (d % 4 = 0) read W,
// X and Y as vec4, one thread per (b, 16 columns) / (b, 4 slots) so that each index, value and X load
// serves 4 rows of W: CPU adapters run them several times faster. Sums run in the same order in all four
// (j ascending; c ascending), so they give identical results.
// X/bias share binding 4 (dot reads X [rows, d], decode reads bias [d]).
override WG: u32 = 64;
const SENTINEL: u32 = 0xffffffffu;

struct Params { rows: u32, kk: u32, d: u32, c0: u32, mc: u32, beta: f32, useBias: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> val: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> xOrBias: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
// vec4 views for decode4 / dot4 (no entry point uses both views of one binding)
@group(0) @binding(3) var<storage, read> w4: array<vec4f>;
@group(0) @binding(4) var<storage, read> xOrBias4: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> y4: array<vec4f>;

fn inShard(i: u32) -> bool {
  return i != SENTINEL && i >= params.c0 && i - params.c0 < params.mc;
}

fn threadId(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
}

@compute @workgroup_size(WG)
fn decode(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = threadId(wid, nwg, lid);
  let d = params.d;
  let kk = params.kk;
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
}

@compute @workgroup_size(WG)
fn decode4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = threadId(wid, nwg, lid);
  let d4 = params.d / 4u;
  let per = (d4 + 3u) / 4u;
  let kk = params.kk;
  if (t >= params.rows * per) { return; }
  let b = t / per;
  let c4 = (t % per) * 4u;
  // vec4 columns c4 … c4 + 3, those past the row clamped to its last (read, not stored)
  let c = min(vec4u(c4) + vec4u(0u, 1u, 2u, 3u), vec4u(d4 - 1u));
  var acc: array<vec4f, 4>;
  for (var j = 0u; j < kk; j++) {
    let i = idx[b * kk + j];
    // an entry outside the shard weighs 0 (a clamped row is read, not used)
    let a = vec4f(select(0.0, max(val[b * kk + j], 0.0), inShard(i)));
    let r = min(i - params.c0, params.mc - 1u) * d4;
    acc[0] = fma(a, w4[r + c.x], acc[0]);
    acc[1] = fma(a, w4[r + c.y], acc[1]);
    acc[2] = fma(a, w4[r + c.z], acc[2]);
    acc[3] = fma(a, w4[r + c.w], acc[3]);
  }
  for (var q = 0u; q < 4u; q++) {
    if (c4 + q >= d4) { break; }
    let o = b * d4 + c4 + q;
    var v = acc[q];
    if (params.beta != 0.0) { v += params.beta * y4[o]; }
    if (params.useBias != 0u) { v += xOrBias4[c4 + q]; }
    y4[o] = v;
  }
}

@compute @workgroup_size(WG)
fn dot(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = threadId(wid, nwg, lid);
  let d = params.d;
  if (t >= params.rows * params.kk) { return; }
  let i = idx[t];
  if (!inShard(i)) { return; }
  if (!(val[t] > 0.0)) { y[t] = 0.0; return; }
  let b = t / params.kk;
  var acc = 0.0;
  for (var c = 0u; c < d; c++) { acc = fma(xOrBias[b * d + c], w[(i - params.c0) * d + c], acc); }
  y[t] = acc;
}

@compute @workgroup_size(WG)
fn dot4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = threadId(wid, nwg, lid);
  let d4 = params.d / 4u;
  let per = (params.kk + 3u) / 4u;
  if (t >= params.rows * per) { return; }
  let b = t / per;
  let j0 = (t % per) * 4u;
  let e0 = b * params.kk + j0;
  // slots j0 … j0 + 3, those past the row clamped to its last (computed, not stored); rows outside the
  // shard clamped to its last (computed, not stored)
  let e = min(vec4u(e0) + vec4u(0u, 1u, 2u, 3u), vec4u(b * params.kk + params.kk - 1u));
  let i = vec4u(idx[e.x], idx[e.y], idx[e.z], idx[e.w]);
  let r = min(i - vec4u(params.c0), vec4u(params.mc - 1u)) * d4;
  let xb = b * d4;
  var acc = vec4f(0.0);
  for (var c4 = 0u; c4 < d4; c4++) {
    let xv = xOrBias4[xb + c4];
    let w0 = w4[r.x + c4];
    let w1 = w4[r.y + c4];
    let w2 = w4[r.z + c4];
    let w3 = w4[r.w + c4];
    acc = fma(vec4f(xv.x), vec4f(w0.x, w1.x, w2.x, w3.x), acc);
    acc = fma(vec4f(xv.y), vec4f(w0.y, w1.y, w2.y, w3.y), acc);
    acc = fma(vec4f(xv.z), vec4f(w0.z, w1.z, w2.z, w3.z), acc);
    acc = fma(vec4f(xv.w), vec4f(w0.w, w1.w, w2.w, w3.w), acc);
  }
  for (var q = 0u; q < 4u; q++) {
    if (j0 + q >= params.kk) { break; }
    if (!inShard(i[q])) { continue; }
    y[e0 + q] = select(0.0, acc[q], val[e0 + q] > 0.0);
  }
}
