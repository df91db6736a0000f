// Gemma RMSNorm with unit offset, one workgroup per row:
//   main:     dst[r, :]  = rms(src[r, :], w)
//   residual: dst[r, :] += rms(src[r, :], w)          (x = x + rms(block_out, norm) of the decoder layer)
//   rms(x, w) = x / sqrt(mean(x^2) + eps) * (1 + w)
// src, dst: [rows, cols] f32;  w: [cols] f32.  The row grid may be folded into 2-D/3-D.
override WG: u32 = 64;

struct Params { rows: u32, cols: u32, eps: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

var<workgroup> partial: array<f32, WG>;

// 1 / sqrt(mean(src[row]^2) + eps), shared by the workgroup
fn invRms(row: u32, lid: u32) -> f32 {
  var s = 0.0;
  for (var c = lid; c < params.cols; c += WG) {
    let v = src[row * params.cols + c];
    s += v * v;
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  return 1.0 / sqrt(partial[0] / f32(params.cols) + params.eps);
}

fn rowIndex(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = rowIndex(wid, nwg);
  if (row >= params.rows) { return; }
  let inv = invRms(row, lid);
  for (var c = lid; c < params.cols; c += WG) {
    let i = row * params.cols + c;
    dst[i] = src[i] * inv * (1.0 + w[c]);
  }
}

@compute @workgroup_size(WG)
fn residual(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = rowIndex(wid, nwg);
  if (row >= params.rows) { return; }
  let inv = invRms(row, lid);
  for (var c = lid; c < params.cols; c += WG) {
    let i = row * params.cols + c;
    dst[i] = dst[i] + src[i] * inv * (1.0 + w[c]);
  }
}
