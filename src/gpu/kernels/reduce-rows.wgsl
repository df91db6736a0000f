// rowSum: out[r] = Σ_c x[r, c]     rowSumSquares: out[r] = Σ_c x[r, c]²     rowMax: out[r] = max_c x[r, c]
// x: row r covers elements [r·cols, min((r+1)·cols, total)) of a flat f32 array (total < rows·cols lets a
// full-tensor sum reduce [ceil(n / cols), cols] chunks with a ragged last one); out: [rows] f32.
// One workgroup per row: each thread strides over the row, then a shared-memory tree (WG a power of two).
// The 1-D grid of `rows` workgroups may be folded into 2-D/3-D; the row index comes from num_workgroups.
override WG: u32 = 256;

struct Params { rows: u32, cols: u32, total: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

const LOWEST: f32 = -3.4028234663852886e38;

fn treeSum(li: u32) -> f32 {
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step >>= 1u) {
    if (li < step) { partial[li] += partial[li + step]; }
    workgroupBarrier();
  }
  return partial[0];
}

fn treeMax(li: u32) -> f32 {
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step >>= 1u) {
    if (li < step) { partial[li] = max(partial[li], partial[li + step]); }
    workgroupBarrier();
  }
  return partial[0];
}

fn rowIndex(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}

@compute @workgroup_size(WG)
fn rowSum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = rowIndex(wid, nwg);
  if (r >= params.rows) { return; }
  let end = min(r * params.cols + params.cols, params.total);
  var s = 0.0;
  for (var i = r * params.cols + li; i < end; i += WG) { s += x[i]; }
  partial[li] = s;
  let total = treeSum(li);
  if (li == 0u) { out[r] = total; }
}

@compute @workgroup_size(WG)
fn rowSumSquares(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = rowIndex(wid, nwg);
  if (r >= params.rows) { return; }
  let end = min(r * params.cols + params.cols, params.total);
  var s = 0.0;
  for (var i = r * params.cols + li; i < end; i += WG) { s += x[i] * x[i]; }
  partial[li] = s;
  let total = treeSum(li);
  if (li == 0u) { out[r] = total; }
}

@compute @workgroup_size(WG)
fn rowMax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let r = rowIndex(wid, nwg);
  if (r >= params.rows) { return; }
  let end = min(r * params.cols + params.cols, params.total);
  var m = LOWEST;
  for (var i = r * params.cols + li; i < end; i += WG) { m = max(m, x[i]); }
  partial[li] = m;
  let total = treeMax(li);
  if (li == 0u) { out[r] = total; }
}
