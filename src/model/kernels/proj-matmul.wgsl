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
// Each thread owns 8 rows × 4 columns of y (private accumulators need a constant size; 8×4 ran 3.6× faster than
// 4×4 on SwiftShader); a workgroup of WGX×WGY threads covers 8·WGY rows × 4·WGX columns.
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
      let i = params.yOff + m * params.yStride + n;
      var v = params.alpha * acc[r][c];
      if (params.accumulate != 0u) { v += y[i]; }
      if (params.cap > 0.0) { v = params.cap * stableTanh(v / params.cap); }
      y[i] = v;
    }
  }
}
