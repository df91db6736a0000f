// y[r, c] = exp(s·x[r, c] − m_r) / Σ_c' exp(s·x[r, c'] − m_r),   m_r = max_c s·x[r, c]      x, y: [rows, cols] f32
// Stable form: every exponent is ≤ 0. Entries of −inf (masked) give 0; a row that is all −inf gives zeros.
// One workgroup per row (grid may be folded, see src/gpu/dispatch.ts): max, then sum, then write; WG a power of two.
override WG: u32 = 256;

struct Params { rows: u32, cols: u32, scale: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

var<workgroup> partial: array<f32, WG>;

const LOWEST: f32 = -3.4028234663852886e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  var m = LOWEST;
  for (var c = li; c < params.cols; c += WG) { m = max(m, params.scale * x[base + c]); }
  partial[li] = m;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step >>= 1u) {
    if (li < step) { partial[li] = max(partial[li], partial[li + step]); }
    workgroupBarrier();
  }
  let rowMax = partial[0];
  workgroupBarrier();
  var s = 0.0;
  for (var c = li; c < params.cols; c += WG) { s += exp(params.scale * x[base + c] - rowMax); }
  partial[li] = s;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step >>= 1u) {
    if (li < step) { partial[li] += partial[li + step]; }
    workgroupBarrier();
  }
  let total = partial[0];
  let inv = select(0.0, 1.0 / total, total > 0.0);
  for (var c = li; c < params.cols; c += WG) { y[base + c] = exp(params.scale * x[base + c] - rowMax) * inv; }
}
