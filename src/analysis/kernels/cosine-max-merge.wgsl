// Folds per-tile maxima into running per-row maxima across chunks:
//   (v, k) = first max over t of (partVal[r, t], partIdx[r, t])           r < rows, t < tiles
//   if first = 1 or v > bestVal[offset + r]: bestVal[offset + r] = v, bestIdx[offset + r] = k + indexOffset
// Chunks of the other matrix arrive in ascending order, so a strict '>' keeps the first global maximum.
// partVal/partIdx: [rows, tiles];  bestVal/bestIdx: [total rows] (this chunk's rows start at `offset`).
override WG: u32 = 64;

struct Params { rows: u32, tiles: u32, offset: u32, indexOffset: u32, first: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partVal: array<f32>;
@group(0) @binding(2) var<storage, read> partIdx: array<u32>;
@group(0) @binding(3) var<storage, read_write> bestVal: array<f32>;
@group(0) @binding(4) var<storage, read_write> bestIdx: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (r >= params.rows) { return; }
  var v = partVal[r * params.tiles];
  var k = partIdx[r * params.tiles];
  for (var t = 1u; t < params.tiles; t++) {
    let x = partVal[r * params.tiles + t];
    if (x > v) { v = x; k = partIdx[r * params.tiles + t]; }
  }
  let g = params.offset + r;
  if (params.first != 0u || v > bestVal[g]) {
    bestVal[g] = v;
    bestIdx[g] = k + params.indexOffset;
  }
}
