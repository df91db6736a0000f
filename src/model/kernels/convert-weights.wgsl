// Weights as stored (F32, BF16 or F16 words) → the engine's formats, bit for bit as quantize.ts does on the CPU:
//   f32: widening;  f16: RNE packing, two per word (low half = even column);
//   q8/q4: per row, runs of 32 columns: s = RN(max|w| / qmax) (1 for an all-zero run),
//          q = clip(round_half_even(RN(w / s)), ±qmax), codes packed low bits first, rows padded with zero codes.
// All of it in integer arithmetic: WGSL's f32 division is only accurate to 2.5 ULP, and bit-identical codes need
// the correctly rounded quotient. A non-finite weight sets flags[flag] (checked on the host per tensor).
// src: the chunk's rows [rows, cols], packed as stored; dst/scales: the whole tensor, written from row row0.
// One thread per output unit: an element (f32), a word (f16) or a run of 32 (q8/q4). The grid may be folded.
override WG: u32 = 64;

struct Params {
  rows: u32,
  cols: u32,
  // 0 = F32, 1 = BF16, 2 = F16
  src_dtype: u32,
  // 0 = f32, 1 = f16, 2 = q8, 3 = q4
  dst_format: u32,
  row0: u32,
  flag: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> flags: array<atomic<u32>>;

fn f16_to_f32_bits(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 31u) { return sign | 0x7f800000u | (m << 13u); }
  if (e != 0u) { return sign | ((e + 112u) << 23u) | (m << 13u); }
  if (m == 0u) { return sign; }
  // subnormal f16: m · 2⁻²⁴, normal in f32
  let s = countLeadingZeros(m) - 21u;
  return sign | ((113u - s) << 23u) | (((m << s) & 0x3ffu) << 13u);
}

/** f32 bits of element e (row-major within the chunk). */
fn element_bits(e: u32) -> u32 {
  if (params.src_dtype == 0u) { return src[e]; }
  let half = (src[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu;
  if (params.src_dtype == 1u) { return half << 16u; }
  return f16_to_f32_bits(half);
}

fn checked_bits(e: u32) -> u32 {
  let b = element_bits(e);
  if ((b & 0x7f800000u) == 0x7f800000u) { atomicOr(&flags[params.flag], 1u); }
  return b;
}

fn f16_bits(x: u32) -> u32 {
  let sign = (x >> 16u) & 0x8000u;
  let exp = i32((x >> 23u) & 0xffu);
  var mant = x & 0x7fffffu;
  if (exp == 255) { return sign | 0x7c00u | select(0u, 0x200u, mant != 0u); }
  let e = exp - 112;
  if (e >= 31) { return sign | 0x7c00u; }
  if (e <= 0) {
    if (e < -10) { return sign; }
    mant = mant | 0x800000u;
    let shift = u32(14 - e);
    var h = mant >> shift;
    let rem = mant & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (h & 1u) == 1u)) { h = h + 1u; }
    return sign | h;
  }
  var h = (u32(e) << 10u) | (mant >> 13u);
  let rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) == 1u)) { h = h + 1u; }
  return sign | h;
}

/** Mantissa with its leading one at bit 23, and the unbiased exponent, of a positive finite non-zero f32. */
fn normalized(b: u32) -> vec2i {
  var e = i32(b >> 23u);
  var m = b & 0x7fffffu;
  if (e == 0) {
    let s = countLeadingZeros(m) - 8u;
    m = m << s;
    e = 1 - i32(s);
  } else {
    m = m | 0x800000u;
  }
  return vec2i(i32(m), e - 127);
}

/** Bits of RN(a / b) for positive finite f32 bits a ≥ 0, b > 0 whose quotient does not overflow. */
fn div_rn(a: u32, b: u32) -> u32 {
  if (a == 0u) { return 0u; }
  let na = normalized(a);
  let nb = normalized(b);
  var r = u32(na.x);
  let mb = u32(nb.x);
  var e = na.y - nb.y;
  if (r < mb) {
    r = r << 1u;
    e = e - 1;
  }
  // 25 quotient bits of r/mb ∈ [1, 2): 24 for the significand, one guard; the remainder is the sticky bit
  var q = 0u;
  for (var i = 0u; i < 25u; i++) {
    q = q << 1u;
    if (r >= mb) {
      r = r - mb;
      q = q | 1u;
    }
    r = r << 1u;
  }
  let sticky = r != 0u;
  let be = e + 127;
  if (be >= 1) {
    var m = q >> 1u;
    if ((q & 1u) == 1u && (sticky || (m & 1u) == 1u)) { m = m + 1u; }
    // a carry to 2²⁴ moves into the exponent field, which is the right result
    return (u32(be) << 23u) + (m - 0x800000u);
  }
  let sh = u32(1 - be);
  if (sh > 24u) { return 0u; }
  var m = q >> (1u + sh);
  let g = (q >> sh) & 1u;
  let st = sticky || (q & ((1u << sh) - 1u)) != 0u;
  if (g == 1u && (st || (m & 1u) == 1u)) { m = m + 1u; }
  return m;
}

/** round_half_even of a non-negative f32 below 2²³, given as bits. */
fn round_half_even_bits(b: u32) -> u32 {
  let e = i32(b >> 23u) - 127;
  if (e < -1) { return 0u; }
  let m = (b & 0x7fffffu) | 0x800000u;
  if (e >= 23) { return m << u32(e - 23); }
  let shift = u32(23 - e);
  var ip = m >> shift;
  let frac = m & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (frac > half || (frac == half && (ip & 1u) == 1u)) { ip = ip + 1u; }
  return ip;
}

fn quantize_run(r: u32, g: u32, bits: u32) {
  let cols = params.cols;
  let qmax = (1u << (bits - 1u)) - 1u;
  let c0 = g * 32u;
  let c1 = min(cols, c0 + 32u);
  // for non-negative finite floats, the order of the bit patterns is the order of the values
  var max_abs = 0u;
  for (var c = c0; c < c1; c++) { max_abs = max(max_abs, checked_bits(r * cols + c) & 0x7fffffffu); }
  var s = 0x3f800000u;
  if (max_abs != 0u) { s = div_rn(max_abs, bitcast<u32>(f32(qmax))); }
  let row = params.row0 + r;
  scales[row * ((cols + 31u) / 32u) + g] = bitcast<f32>(s);
  let per_word = 32u / bits;
  let wpr = (cols + per_word - 1u) / per_word;
  let mask = (1u << bits) - 1u;
  let w0 = c0 / per_word;
  let w1 = min(wpr, (c0 + 32u) / per_word);
  for (var w = w0; w < w1; w++) {
    var word = 0u;
    for (var j = 0u; j < per_word; j++) {
      let c = w * per_word + j;
      if (c >= cols) { break; }
      let b = element_bits(r * cols + c);
      let n = min(round_half_even_bits(div_rn(b & 0x7fffffffu, s)), qmax);
      var code = n;
      if ((b & 0x80000000u) != 0u) { code = (0u - n) & mask; }
      word = word | (code << (j * bits));
    }
    dst[row * wpr + w] = word;
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  let cols = params.cols;
  let fmt = params.dst_format;
  var units = cols;
  if (fmt == 1u) { units = (cols + 1u) / 2u; } else if (fmt >= 2u) { units = (cols + 31u) / 32u; }
  if (i >= params.rows * units) { return; }
  let r = i / units;
  let u = i % units;
  if (fmt == 0u) {
    dst[(params.row0 + r) * cols + u] = checked_bits(r * cols + u);
  } else if (fmt == 1u) {
    let c = 2u * u;
    var word = f16_bits(checked_bits(r * cols + c));
    if (c + 1u < cols) { word = word | (f16_bits(checked_bits(r * cols + c + 1u)) << 16u); }
    dst[(params.row0 + r) * units + u] = word;
  } else {
    quantize_run(r, u, select(4u, 8u, fmt == 2u));
  }
}
