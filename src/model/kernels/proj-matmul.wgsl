// Projection matmul with in-kernel dequantisation (the model's only matmul; also used for LoRA A/B and the LM head).
//   y[yOff + m*yStride + n] = (accumulate ? y[..] : 0) + alpha * sum_k x[xOff + m*K + k] * W'[n, k]
//   then, when cap > 0:  y = cap * tanh(y / cap)                       (final-logit soft-cap)
// x: [M, K] f32 (from element xOff); y: rows of yStride f32 (from element yOff); W' [N, K] decoded by FORMAT:
//   0 f32: w holds the f32 bits, [N, K]
//   1 f16: w holds two f16 per u32 (low half first), [N, wordsPerRow = ceil(K/2)], widened with unpack2x16float
//   2 q8 : four int8 per u32 (byte j = column 4i+j), [N, ceil(K/4)];  W' = q * scales[n, k/32]
//   3 q4 : eight int4 per u32 (nibble j = column 8i+j), [N, ceil(K/8)]; W' = q * scales[n, k/32]
// Rows are padded with zero codes to whole words, so a word never straddles a 32-column run.
// M counts streams × tokens: all K+1 streams share each weight tile read.
// Entry points (same Params and bindings 0–4; `tiled` also reads x and w through the vec4 views at 5 and 6):
//   main  — CPU adapters (SwiftShader): each thread owns 8 rows × 4 columns of y straight from storage, no shared
//           memory (private accumulators need a constant size; 8×4 ran 3.6× faster than 4×4 on SwiftShader);
//           a workgroup of WGX×WGY threads covers 8·WGY rows × 4·WGX columns.
//   tiled — GPUs: shared-memory tiles and a TM×TN register block per thread (see the comment above it).

// Staged type of `tiled`'s tiles and its conversion. proj-matmul.ts builds the f16 variants from this file by replacing
// these two lines: `enable f16` with S = f16 (f16 tiles and products, f32 sums), or S = f32 with values rounded to f16
// when staged (the f16 build's rounding of its inputs, emulated where shader-f16 is missing).
alias S = f32;
fn stage(v: vec4f) -> vec4<S> { return v; }

override FORMAT: u32 = 0;
override WGX: u32 = 8;
override WGY: u32 = 8;

struct Params {
  M: u32, N: u32, K: u32,
  xOff: u32, yOff: u32, yStride: u32,
  accumulate: u32, wordsPerRow: u32, runsPerRow: u32,
  alpha: f32, cap: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> x4: array<vec4f>;
@group(0) @binding(6) var<storage, read> w4: array<vec4u>;

fn loadX(m: u32, k0: u32) -> vec4f {
  var a = vec4f(0.0);
  if (m >= params.M) { return a; }
  let i = params.xOff + m * params.K + k0;
  if (k0 + 4u <= params.K) { return vec4f(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }
  for (var j = 0u; k0 + j < params.K; j++) { a[j] = x[i + j]; }
  return a;
}

fn sext(word: u32, lowBit: u32, bits: u32) -> f32 {
  return f32(bitcast<i32>(word << (32u - lowBit - bits)) >> (32u - bits));
}

// W'[n, k0..k0+3] (zero past K)
fn loadW(n: u32, k0: u32) -> vec4f {
  var b = vec4f(0.0);
  if (n >= params.N) { return b; }
  if (FORMAT == 0u) {
    let i = n * params.K + k0;
    if (k0 + 4u <= params.K) { return bitcast<vec4f>(vec4u(w[i], w[i + 1u], w[i + 2u], w[i + 3u])); }
    for (var j = 0u; k0 + j < params.K; j++) { b[j] = bitcast<f32>(w[i + j]); }
  } else if (FORMAT == 1u) {
    let base = n * params.wordsPerRow + k0 / 2u;
    let lo = unpack2x16float(w[base]);
    var hi = vec2f(0.0);
    if (k0 + 2u < params.K) { hi = unpack2x16float(w[base + 1u]); }
    b = vec4f(lo, hi);
  } else if (FORMAT == 2u) {
    let word = w[n * params.wordsPerRow + k0 / 4u];
    let s = scales[n * params.runsPerRow + k0 / 32u];
    b = vec4f(sext(word, 0u, 8u), sext(word, 8u, 8u), sext(word, 16u, 8u), sext(word, 24u, 8u)) * s;
  } else {
    let word = w[n * params.wordsPerRow + k0 / 8u];
    let s = scales[n * params.runsPerRow + k0 / 32u];
    let sh = (k0 % 8u) * 4u;
    b = vec4f(sext(word, sh, 4u), sext(word, sh + 4u, 4u), sext(word, sh + 8u, 4u), sext(word, sh + 12u, 4u)) * s;
  }
  return b;
}

fn stableTanh(z: f32) -> f32 {
  let e = exp(-2.0 * min(abs(z), 15.0));
  return sign(z) * (1.0 - e) / (1.0 + e);
}

// the epilogue both entry points share: y[m, n] = alpha·s (+ y) (soft-capped)
fn storeY(m: u32, n: u32, s: f32) {
  let i = params.yOff + m * params.yStride + n;
  var v = params.alpha * s;
  if (params.accumulate != 0u) { v += y[i]; }
  if (params.cap > 0.0) { v = params.cap * stableTanh(v / params.cap); }
  y[i] = v;
}

@compute @workgroup_size(WGX, WGY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n0 = (wid.x * WGX + lid.x) * 4u;
  let m0 = (wid.y * WGY + lid.y) * 8u;
  if (n0 >= params.N || m0 >= params.M) { return; }
  var acc: array<vec4f, 8>;
  for (var k0 = 0u; k0 < params.K; k0 += 4u) {
    let b = mat4x4f(loadW(n0, k0), loadW(n0 + 1u, k0), loadW(n0 + 2u, k0), loadW(n0 + 3u, k0));
    // (a · b[c]) for the four columns c at once: a * mat = vec4(dot(a, b[0]), …)
    for (var r = 0u; r < 8u; r++) { acc[r] += loadX(m0 + r, k0) * b; }
  }
  for (var r = 0u; r < 8u; r++) {
    let m = m0 + r;
    if (m >= params.M) { break; }
    for (var c = 0u; c < 4u; c++) {
      let n = n0 + c;
      if (n >= params.N) { break; }
      storeY(m, n, acc[r][c]);
    }
  }
}

// ---- tiled ----
// A workgroup of WGX×WGY threads owns a BM×BN block of y (BM = TM·WGY rows, BN = TN·WGX columns) and walks K in
// steps of BK. Per step it stages x[BM, BK] and W'[BN, BK] in workgroup memory as vec4 runs along k; W is dequantised
// there, once per element (not once per use). Global reads are vec4 (x when its rows start on 16-byte boundaries,
// f32 W when K % 4 = 0) or whole u32 words (packed W), with neighbouring threads on neighbouring addresses.
// Thread (tx, ty) accumulates rows ty + i·WGY (i < TM) × columns tx + c·WGX (c < TN) in f32 registers, so
// neighbouring threads read neighbouring tile rows and write neighbouring y. Staged rows are padded by one vec4
// (stride BK/4 + 1) so that threads reading one k from different rows hit different banks.
// Any M, N, K: reads past M, N or K stage zeros.
override TM: u32 = 4;   // 1 … MAX_TM
override TN: u32 = 4;   // 4 or 8
override BK: u32 = 16;  // a multiple of 8: a q4 word's 8 columns stage together
const MAX_TM = 8u;
const MAX_TN4 = 2u;

var<workgroup> xs: array<vec4<S>, WGY * TM * (BK / 4u + 1u)>;
var<workgroup> ws: array<vec4<S>, WGX * TN * (BK / 4u + 1u)>;

// x[m, k..k+3] (zero past M or K), one vec4 load when x's rows are 16-byte aligned
fn loadXRun(m: u32, k: u32) -> vec4f {
  if (m >= params.M || k >= params.K) { return vec4f(0.0); }
  if (params.K % 4u == 0u && params.xOff % 4u == 0u) { return x4[(params.xOff + m * params.K + k) / 4u]; }
  return loadX(m, k);
}

// W'[n, k..k+3] (zero past N or K) for f32, f16 and q8 (4 columns = one q8 word)
fn loadWRun(n: u32, k: u32) -> vec4f {
  if (n >= params.N || k >= params.K) { return vec4f(0.0); }
  if (FORMAT == 0u && params.K % 4u == 0u) { return bitcast<vec4f>(w4[(n * params.K + k) / 4u]); }
  return loadW(n, k);
}

// W'[n, k..k+7] from one q4 word (k % 8 = 0; zero past N or K)
fn loadQ4Word(n: u32, k: u32) -> array<vec4f, 2> {
  if (n >= params.N || k >= params.K) { return array<vec4f, 2>(vec4f(0.0), vec4f(0.0)); }
  let word = w[n * params.wordsPerRow + k / 8u];
  let s = scales[n * params.runsPerRow + k / 32u];
  return array<vec4f, 2>(
    vec4f(sext(word, 0u, 4u), sext(word, 4u, 4u), sext(word, 8u, 4u), sext(word, 12u, 4u)) * s,
    vec4f(sext(word, 16u, 4u), sext(word, 20u, 4u), sext(word, 24u, 4u), sext(word, 28u, 4u)) * s,
  );
}

@compute @workgroup_size(WGX, WGY)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(local_invocation_index) li: u32) {
  let BM = WGY * TM;
  let BN = WGX * TN;
  let K4 = BK / 4u;
  let R = K4 + 1u; // vec4s per staged row
  let mT = wid.y * BM;
  let nT = wid.x * BN;
  let threads = WGX * WGY;
  // W load units per staged row: a q4 word (8 columns), else 4 columns
  let wUnits = select(K4, BK / 8u, FORMAT == 3u);
  var acc: array<vec4f, MAX_TM * MAX_TN4>;
  var a: array<vec4<S>, MAX_TM>;
  var b: array<mat4x4<S>, MAX_TN4>;
  for (var k0 = 0u; k0 < params.K; k0 += BK) {
    for (var u = li; u < BM * K4; u += threads) {
      let r = u / K4;
      let q = u % K4;
      xs[r * R + q] = stage(loadXRun(mT + r, k0 + 4u * q));
    }
    for (var u = li; u < BN * wUnits; u += threads) {
      let r = u / wUnits;
      let q = u % wUnits;
      if (FORMAT == 3u) {
        let v = loadQ4Word(nT + r, k0 + 8u * q);
        ws[r * R + 2u * q] = stage(v[0]);
        ws[r * R + 2u * q + 1u] = stage(v[1]);
      } else {
        ws[r * R + q] = stage(loadWRun(nT + r, k0 + 4u * q));
      }
    }
    workgroupBarrier();
    for (var q = 0u; q < K4; q++) {
      for (var i = 0u; i < TM; i++) { a[i] = xs[(lid.y + i * WGY) * R + q]; }
      for (var j = 0u; j < TN / 4u; j++) {
        let c = lid.x + 4u * j * WGX;
        b[j] = mat4x4<S>(ws[c * R + q], ws[(c + WGX) * R + q], ws[(c + 2u * WGX) * R + q], ws[(c + 3u * WGX) * R + q]);
      }
      // a * mat = the four columns' dot products over these 4 k, in S; the sum over k is f32
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN / 4u; j++) { acc[i * MAX_TN4 + j] += vec4f(a[i] * b[j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    let m = mT + lid.y + i * WGY;
    if (m >= params.M) { break; }
    for (var c = 0u; c < TN; c++) {
      let n = nT + lid.x + c * WGX;
      if (n < params.N) { storeY(m, n, acc[i * MAX_TN4 + c / 4u][c % 4u]); }
    }
  }
}
