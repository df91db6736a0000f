// y[b, m, n] = alpha · Σ_k A[b, m, k] · B[b, k, n] + beta · y[b, m, n] + bias[n]
//   strides, Params and the epilogue as in matmul.wgsl: A[b, m, k] = a[a_off + b·a_sb + m·a_sm + k·a_sk],
//   B[b, k, n] = w[b_off + b·b_sb + k·b_sk + n·b_sn], y[b, m, n] at y[c_off + b·c_sb + m·c_sm + n].
// Register- and shared-memory-tiled: a workgroup of WG_X × WG_Y threads computes a BM × BN block of y
// (BM = WG_Y·TM, BN = WG_X·TN) from BK-deep slices of A and B staged in workgroup memory. Each thread keeps
// TM × TN sums in registers: rows (g·WG_Y + ly)·4 + i and columns (h·WG_X + lx)·4 + j (g < TM/4, h < TN/4,
// i, j < 4), so neighbouring threads read neighbouring vec4s of a tile.
// tileA is [BK][BM/4] vec4s along m, tileB [BK][BN/4] vec4s along n. A_LOAD / B_LOAD (picked by the wrapper
// from the strides) say how a tile is read from storage:
//   0 scalar    — any strides; a thread gathers 4 elements along m (A) or n (B);
//   1 along k   — a_sk = 1 (b_sk = 1), K % 4 = 0 and 16-byte aligned rows: a thread reads 4 vec4s along k
//                 (a 4×4 block) and writes them transposed;
//   2 along m/n — a_sm = 1 (b_sn = 1), M % 4 = 0 (N % 4 = 0), aligned: one vec4 goes straight into the tile.
// a and w are read only through vec4 views (so that scalar and vec4 loads can share an entry point); the
// wrapper binds them in whole vec4s. Elements outside [M, N, K] stage as 0 (pooled buffers hold garbage).
// Tiles are staged as `S4` and multiplied by `madd`, defined in the block below. As written here that is f32;
// matmul-tiled.ts derives the f16 kernels from this file by swapping that block (and only it).
// Grid: x = ceil(N / BN), y = ceil(M / BM), z = batch.

// stage: begin
alias S = f32;
alias S4 = vec4<f32>;
fn toStage(v: vec4f) -> S4 { return v; }
// acc + a·b, the product in the staging precision and the sum in f32.
fn madd(acc: vec4f, a: S, b: S4) -> vec4f { return fma(vec4f(a), b, acc); }
// stage: end

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override TM: u32 = 4;   // 4 or 8
override TN: u32 = 4;   // 4 or 8
override BK: u32 = 16;  // a multiple of 4
override A_LOAD: u32 = 0;
override B_LOAD: u32 = 0;

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  a_off: u32, a_sb: u32, a_sm: u32, a_sk: u32,
  b_off: u32, b_sb: u32, b_sk: u32, b_sn: u32,
  c_off: u32, c_sb: u32, c_sm: u32, has_bias: u32,
  alpha: f32, beta: f32, bias_off: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

var<workgroup> tileA: array<S4, BK * WG_Y * TM / 4u>;
var<workgroup> tileB: array<S4, BK * WG_X * TN / 4u>;

fn elemA(bi: u32, m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
  let i = params.a_off + bi * params.a_sb + m * params.a_sm + k * params.a_sk;
  return a4[i / 4u][i % 4u];
}

fn elemB(bi: u32, k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
  let i = params.b_off + bi * params.b_sb + k * params.b_sk + n * params.b_sn;
  return w4[i / 4u][i % 4u];
}

// A[m, k .. k+3] (A_LOAD 1) or A[m .. m+3, k] (A_LOAD 2): whole vec4s, all in range or all out.
fn vecA(bi: u32, m: u32, k: u32) -> vec4f {
  if (m >= params.M || k >= params.K) { return vec4f(); }
  return a4[(params.a_off + bi * params.a_sb + m * params.a_sm + k * params.a_sk) / 4u];
}

// B[k .. k+3, n] (B_LOAD 1) or B[k, n .. n+3] (B_LOAD 2).
fn vecB(bi: u32, k: u32, n: u32) -> vec4f {
  if (k >= params.K || n >= params.N) { return vec4f(); }
  return w4[(params.b_off + bi * params.b_sb + k * params.b_sk + n * params.b_sn) / 4u];
}

// Transposes a 4×4 block given as rows r0..r3 (each along k) into the 4 tile vec4s of k + 0..3.
fn stageBlockA(q: u32, k: u32, r0: vec4f, r1: vec4f, r2: vec4f, r3: vec4f) {
  let bm4 = WG_Y * TM / 4u;
  tileA[k * bm4 + q] = toStage(vec4f(r0.x, r1.x, r2.x, r3.x));
  tileA[(k + 1u) * bm4 + q] = toStage(vec4f(r0.y, r1.y, r2.y, r3.y));
  tileA[(k + 2u) * bm4 + q] = toStage(vec4f(r0.z, r1.z, r2.z, r3.z));
  tileA[(k + 3u) * bm4 + q] = toStage(vec4f(r0.w, r1.w, r2.w, r3.w));
}

fn stageBlockB(q: u32, k: u32, c0: vec4f, c1: vec4f, c2: vec4f, c3: vec4f) {
  let bn4 = WG_X * TN / 4u;
  tileB[k * bn4 + q] = toStage(vec4f(c0.x, c1.x, c2.x, c3.x));
  tileB[(k + 1u) * bn4 + q] = toStage(vec4f(c0.y, c1.y, c2.y, c3.y));
  tileB[(k + 2u) * bn4 + q] = toStage(vec4f(c0.z, c1.z, c2.z, c3.z));
  tileB[(k + 3u) * bn4 + q] = toStage(vec4f(c0.w, c1.w, c2.w, c3.w));
}

// Rows m0 .. m0+BM-1, columns k0 .. k0+BK-1 of A into tileA; vec4 q of a tile row covers m0 + 4q .. 4q+3.
fn loadTileA(bi: u32, m0: u32, k0: u32, li: u32) {
  let bm4 = WG_Y * TM / 4u;
  let threads = WG_X * WG_Y;
  if (A_LOAD == 1u) {
    // Consecutive threads take consecutive vec4s along k of the same 4 rows.
    let bk4 = BK / 4u;
    for (var i = li; i < bm4 * bk4; i += threads) {
      let q = i / bk4;
      let kk = (i % bk4) * 4u;
      let m = m0 + 4u * q;
      let k = k0 + kk;
      stageBlockA(q, kk, vecA(bi, m, k), vecA(bi, m + 1u, k), vecA(bi, m + 2u, k), vecA(bi, m + 3u, k));
    }
  } else {
    for (var i = li; i < bm4 * BK; i += threads) {
      let m = m0 + 4u * (i % bm4);
      let k = k0 + i / bm4;
      if (A_LOAD == 2u) {
        tileA[i] = toStage(vecA(bi, m, k));
      } else {
        tileA[i] = toStage(vec4f(elemA(bi, m, k), elemA(bi, m + 1u, k), elemA(bi, m + 2u, k), elemA(bi, m + 3u, k)));
      }
    }
  }
}

fn loadTileB(bi: u32, n0: u32, k0: u32, li: u32) {
  let bn4 = WG_X * TN / 4u;
  let threads = WG_X * WG_Y;
  if (B_LOAD == 1u) {
    let bk4 = BK / 4u;
    for (var i = li; i < bn4 * bk4; i += threads) {
      let q = i / bk4;
      let kk = (i % bk4) * 4u;
      let n = n0 + 4u * q;
      let k = k0 + kk;
      stageBlockB(q, kk, vecB(bi, k, n), vecB(bi, k, n + 1u), vecB(bi, k, n + 2u), vecB(bi, k, n + 3u));
    }
  } else {
    for (var i = li; i < bn4 * BK; i += threads) {
      let n = n0 + 4u * (i % bn4);
      let k = k0 + i / bn4;
      if (B_LOAD == 2u) {
        tileB[i] = toStage(vecB(bi, k, n));
      } else {
        tileB[i] = toStage(vec4f(elemB(bi, k, n), elemB(bi, k, n + 1u), elemB(bi, k, n + 2u), elemB(bi, k, n + 3u)));
      }
    }
  }
}

fn storeOut(bi: u32, m: u32, n: u32, v: f32) {
  if (m >= params.M || n >= params.N) { return; }
  let i = params.c_off + bi * params.c_sb + m * params.c_sm + n;
  var r = params.alpha * v;
  if (params.has_bias != 0u) { r += bias[params.bias_off + n]; }
  if (params.beta != 0.0) { r += params.beta * y[i]; }
  y[i] = r;
}

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(local_invocation_index) li: u32) {
  let bm4 = WG_Y * TM / 4u;
  let bn4 = WG_X * TN / 4u;
  let m0 = wid.y * WG_Y * TM;
  let n0 = wid.x * WG_X * TN;
  let bi = wid.z;
  // acc[(g·4 + i)·2 + h]: row g·4 + i, column vec4 h of the thread's block (sized for 8×8; the override
  // loop bounds leave the rest unused).
  var acc: array<vec4f, 16>;
  for (var k0 = 0u; k0 < params.K; k0 += BK) {
    loadTileA(bi, m0, k0, li);
    loadTileB(bi, n0, k0, li);
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var av: array<S4, 2>;
      var bv: array<S4, 2>;
      for (var g = 0u; g < TM / 4u; g++) { av[g] = tileA[kk * bm4 + g * WG_Y + lid.y]; }
      for (var h = 0u; h < TN / 4u; h++) { bv[h] = tileB[kk * bn4 + h * WG_X + lid.x]; }
      for (var g = 0u; g < TM / 4u; g++) {
        for (var i = 0u; i < 4u; i++) {
          for (var h = 0u; h < TN / 4u; h++) {
            let r = (g * 4u + i) * 2u + h;
            acc[r] = madd(acc[r], av[g][i], bv[h]);
          }
        }
      }
    }
    workgroupBarrier();
  }
  for (var g = 0u; g < TM / 4u; g++) {
    for (var i = 0u; i < 4u; i++) {
      let m = m0 + (g * WG_Y + lid.y) * 4u + i;
      for (var h = 0u; h < TN / 4u; h++) {
        let n = n0 + (h * WG_X + lid.x) * 4u;
        let v = acc[(g * 4u + i) * 2u + h];
        storeOut(bi, m, n, v.x);
        storeOut(bi, m, n + 1u, v.y);
        storeOut(bi, m, n + 2u, v.z);
        storeOut(bi, m, n + 3u, v.w);
      }
    }
  }
}
