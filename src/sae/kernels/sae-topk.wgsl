// Per row r < rows: the k candidates with the largest value (ties: smaller latent index first),
// written as outIdx/outVal[r * outStride + outOffset + j], j < k, in that order (best first).
//   mode 0 (select): candidate c < n has value vals[r * rowStride + c] and latent idxOffset + c
//   mode 1 (merge):  candidate c < n has value vals[r * n + c] and latent idxIn[r * n + c]
//                    (merging per-shard selections when the latents are split across bindings)
// window > 0: only latents with since[latent] >= window are eligible (AuxK's dead latents).
// Fewer than k eligible candidates: the rest get latent 0xFFFFFFFF (SENTINEL) and value 0.
// One thread per row keeps its running top-k in the output as a heap whose root is the worst kept
// candidate (log k moves per accepted candidate instead of k/2 for a sorted list; no barriers, which
// SwiftShader handles badly), then heap-sorts it best first. Returned values are the raw pre-activations.
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

// Places (v, i) at the root of the heap [base, base + size) and moves it down to where it belongs.
fn siftDown(base: u32, size: u32, v: f32, i: u32) {
  var p = 0u;
  loop {
    let l = 2u * p + 1u;
    if (l >= size) { break; }
    var c = l;
    var cv = outVal[base + l];
    var ci = outIdx[base + l];
    if (l + 1u < size) {
      let rv = outVal[base + l + 1u];
      let ri = outIdx[base + l + 1u];
      if (before(cv, ci, rv, ri)) { c = l + 1u; cv = rv; ci = ri; }
    }
    // the worse child rises while it ranks after (v, i)
    if (!before(v, i, cv, ci)) { break; }
    outVal[base + p] = cv;
    outIdx[base + p] = ci;
    p = c;
  }
  outVal[base + p] = v;
  outIdx[base + p] = i;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (row >= params.rows) { return; }
  let k = params.k;
  let base = row * params.outStride + params.outOffset;
  var count = 0u;
  // the heap's root (worst kept candidate) stays in registers: most candidates are rejected without a storage read
  var rootV = 0.0;
  var rootI = SENTINEL;
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
    if (count == k) {
      if (!before(v, i, rootV, rootI)) { continue; }
      siftDown(base, k, v, i);
    } else {
      // append and move up while the parent ranks before (v, i)
      var q = count;
      while (q > 0u) {
        let parent = (q - 1u) / 2u;
        let pv = outVal[base + parent];
        let pi = outIdx[base + parent];
        if (!before(pv, pi, v, i)) { break; }
        outVal[base + q] = pv;
        outIdx[base + q] = pi;
        q = parent;
      }
      outVal[base + q] = v;
      outIdx[base + q] = i;
      count++;
    }
    rootV = outVal[base];
    rootI = outIdx[base];
  }
  // heap sort: the worst goes last, repeatedly, leaving the list best first
  var end = count;
  while (end > 1u) {
    end--;
    let lv = outVal[base + end];
    let li = outIdx[base + end];
    outVal[base + end] = outVal[base];
    outIdx[base + end] = outIdx[base];
    siftDown(base, end, lv, li);
  }
  for (var j = count; j < k; j++) {
    outVal[base + j] = 0.0;
    outIdx[base + j] = SENTINEL;
  }
}
