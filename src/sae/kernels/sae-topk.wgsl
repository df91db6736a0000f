// Per row r < rows: the k candidates with the largest value (ties: smaller latent index first),
// written as outIdx/outVal[r * outStride + outOffset + j], j < k, in that order (best first).
//   mode 0 (select): candidate c < n has value vals[r * rowStride + c] and latent idxOffset + c
//   mode 1 (merge):  candidate c < n has value vals[r * n + c] and latent idxIn[r * n + c]
//                    (merging per-shard selections when the latents are split across bindings)
// window > 0: only latents with since[latent] >= window are eligible (AuxK's dead latents).
// Fewer than k eligible candidates: the rest get latent 0xFFFFFFFF (SENTINEL) and value 0.
// One thread per row keeps its running top-k list in the output (insertion; no barriers, which
// SwiftShader handles badly). Returned values are the raw pre-activations.
override WG: u32 = 64;
const SENTINEL: u32 = 0xffffffffu;

struct Params { rows: u32, n: u32, k: u32, rowStride: u32, mode: u32, idxOffset: u32, window: u32, outStride: u32, outOffset: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> vals: array<f32>;
@group(0) @binding(2) var<storage, read> idxIn: array<u32>;
@group(0) @binding(3) var<storage, read> since: array<u32>;
@group(0) @binding(4) var<storage, read_write> outVal: array<f32>;
@group(0) @binding(5) var<storage, read_write> outIdx: array<u32>;

// (v1, i1) ranks before (v2, i2)
fn before(v1: f32, i1: u32, v2: f32, i2: u32) -> bool {
  return v1 > v2 || (v1 == v2 && i1 < i2);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (row >= params.rows) { return; }
  let k = params.k;
  let base = row * params.outStride + params.outOffset;
  var count = 0u;
  for (var c = 0u; c < params.n; c++) {
    var v: f32;
    var i: u32;
    if (params.mode == 0u) {
      v = vals[row * params.rowStride + c];
      i = params.idxOffset + c;
    } else {
      v = vals[row * params.n + c];
      i = idxIn[row * params.n + c];
    }
    if (i == SENTINEL) { continue; }
    if (params.window > 0u && since[i] < params.window) { continue; }
    if (count == k && !before(v, i, outVal[base + k - 1u], outIdx[base + k - 1u])) { continue; }
    // insert (v, i) into the sorted list, dropping the last entry when it is full
    var p = min(count, k - 1u);
    while (p > 0u && before(v, i, outVal[base + p - 1u], outIdx[base + p - 1u])) {
      outVal[base + p] = outVal[base + p - 1u];
      outIdx[base + p] = outIdx[base + p - 1u];
      p--;
    }
    outVal[base + p] = v;
    outIdx[base + p] = i;
    count = min(count + 1u, k);
  }
  for (var j = count; j < k; j++) {
    outVal[base + j] = 0.0;
    outIdx[base + j] = SENTINEL;
  }
}
