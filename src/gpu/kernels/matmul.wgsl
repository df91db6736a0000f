// y[b, m, n] = alpha · Σ_k A[b, m, k] · B[b, k, n] + beta · y[b, m, n] + bias[n]
//   A[b, m, k] = a[a_off + b·a_sb + m·a_sm + k·a_sk]      (strides: x·W, xᵀ·W, batched, sub-blocks)
//   B[b, k, n] = w[b_off + b·b_sb + k·b_sk + n·b_sn]      (x·W: b_sk = N, b_sn = 1; x·Wᵀ with W [N,K]: b_sk = 1, b_sn = K)
//   y[b, m, n] at y[c_off + b·c_sb + m·c_sm + n]          (columns contiguous; rows may be strided)
// bias: bias[bias_off + n] f32, read only when has_bias = 1; y is read only when beta ≠ 0 (pooled buffers hold garbage).
// Entry points (same bindings, same Params):
//   blocked — each thread computes a 4×4 block straight from storage, no barriers (fast on SwiftShader);
//   blockedVec4 — blocked with vec4 loads, 4 k-steps per load (needs a_sk = 1, K % 4 = 0, 16-byte aligned
//             rows of A and of B: b_sk = 1 with b_sn % 4 = 0, or b_sn = 1 with N % 4 = 0; the wrapper checks);
//   naive   — one thread per output (the bench's peer and the plain fallback).
// Real GPUs get the shared-memory kernel of matmul-tiled.wgsl (same Params and bindings).
// Grid: x = ceil(N / tileN), y = ceil(M / tileM), z = batch; tileN = 4·WG_X, tileM = 4·WG_Y (naive: WG_X, WG_Y).
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  a_off: u32, a_sb: u32, a_sm: u32, a_sk: u32,
  b_off: u32, b_sb: u32, b_sk: u32, b_sn: u32,
  c_off: u32, c_sb: u32, c_sm: u32, has_bias: u32,
  alpha: f32, beta: f32, bias_off: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
// vec4 views of a and w for blockedVec4 (no entry point uses both views of one binding).
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;

const TM: u32 = 4u;
const TN: u32 = 4u;

fn storeOut(bi: u32, m: u32, n: u32, v: f32) {
  if (m >= params.M || n >= params.N) { return; }
  let i = params.c_off + bi * params.c_sb + m * params.c_sm + n;
  var r = params.alpha * v;
  if (params.has_bias != 0u) { r += bias[params.bias_off + n]; }
  if (params.beta != 0.0) { r += params.beta * y[i]; }
  y[i] = r;
}

fn storeBlock(bi: u32, m0: u32, n0: u32, acc: array<vec4f, 4>) {
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { storeOut(bi, m0 + i, n0 + j, acc[i][j]); }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = (wid.y * WG_Y + lid.y) * TM;
  let n0 = (wid.x * WG_X + lid.x) * TN;
  let bi = wid.z;
  if (m0 >= params.M || n0 >= params.N || bi >= params.batch) { return; }
  // Rows/columns past the edge are clamped to the last valid one, so the k loop has no branches;
  // storeOut drops their results.
  let lastM = params.M - 1u;
  let lastN = params.N - 1u;
  let aRow = params.a_off + bi * params.a_sb
    + vec4u(min(m0, lastM), min(m0 + 1u, lastM), min(m0 + 2u, lastM), min(m0 + 3u, lastM)) * params.a_sm;
  let bCol = params.b_off + bi * params.b_sb
    + vec4u(min(n0, lastN), min(n0 + 1u, lastN), min(n0 + 2u, lastN), min(n0 + 3u, lastN)) * params.b_sn;
  var acc: array<vec4f, 4>;
  for (var k = 0u; k < params.K; k++) {
    let ka = k * params.a_sk;
    let kb = k * params.b_sk;
    let av = vec4f(a[aRow.x + ka], a[aRow.y + ka], a[aRow.z + ka], a[aRow.w + ka]);
    let bv = vec4f(w[bCol.x + kb], w[bCol.y + kb], w[bCol.z + kb], w[bCol.w + kb]);
    acc[0] += av.x * bv;
    acc[1] += av.y * bv;
    acc[2] += av.z * bv;
    acc[3] += av.w * bv;
  }
  storeBlock(bi, m0, n0, acc);
}

@compute @workgroup_size(WG_X, WG_Y)
fn blockedVec4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = (wid.y * WG_Y + lid.y) * TM;
  let n0 = (wid.x * WG_X + lid.x) * TN;
  let bi = wid.z;
  if (m0 >= params.M || n0 >= params.N || bi >= params.batch) { return; }
  let lastM = params.M - 1u;
  let lastN = params.N - 1u;
  // vec4 index of the start of each of the thread's 4 rows of A (clamped like blocked).
  let aRow = (params.a_off + bi * params.a_sb) / 4u
    + vec4u(min(m0, lastM), min(m0 + 1u, lastM), min(m0 + 2u, lastM), min(m0 + 3u, lastM)) * (params.a_sm / 4u);
  let k4s = params.K / 4u;
  var acc: array<vec4f, 4>;
  if (params.b_sk == 1u) {
    // W [N, K]: each output column's k-run is contiguous; b_j holds B[4k4 .. 4k4+3, n0 + j].
    let bCol = (params.b_off + bi * params.b_sb) / 4u
      + vec4u(min(n0, lastN), min(n0 + 1u, lastN), min(n0 + 2u, lastN), min(n0 + 3u, lastN)) * (params.b_sn / 4u);
    for (var k4 = 0u; k4 < k4s; k4++) {
      let b0 = w4[bCol.x + k4];
      let b1 = w4[bCol.y + k4];
      let b2 = w4[bCol.z + k4];
      let b3 = w4[bCol.w + k4];
      for (var i = 0u; i < TM; i++) {
        let av = a4[aRow[i] + k4];
        acc[i] += vec4f(dot(av, b0), dot(av, b1), dot(av, b2), dot(av, b3));
      }
    }
  } else {
    // W [K, N], N % 4 = 0: columns n0 .. n0+3 of one k are one vec4 (n0 < N, so all four are in range).
    let sk4 = params.b_sk / 4u;
    let bBase = (params.b_off + bi * params.b_sb + n0) / 4u;
    for (var k4 = 0u; k4 < k4s; k4++) {
      let r = bBase + 4u * k4 * sk4;
      let b0 = w4[r];
      let b1 = w4[r + sk4];
      let b2 = w4[r + 2u * sk4];
      let b3 = w4[r + 3u * sk4];
      for (var i = 0u; i < TM; i++) {
        let av = a4[aRow[i] + k4];
        acc[i] += av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
      }
    }
  }
  storeBlock(bi, m0, n0, acc);
}

fn loadA(bi: u32, m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
  return a[params.a_off + bi * params.a_sb + m * params.a_sm + k * params.a_sk];
}

fn loadB(bi: u32, k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
  return w[params.b_off + bi * params.b_sb + k * params.b_sk + n * params.b_sn];
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.y;
  let n = gid.x;
  let bi = gid.z;
  if (m >= params.M || n >= params.N || bi >= params.batch) { return; }
  var s = 0.0;
  for (var k = 0u; k < params.K; k++) { s += loadA(bi, m, k) * loadB(bi, k, n); }
  storeOut(bi, m, n, s);
}
