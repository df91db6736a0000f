// Per row r < rows: the k candidates with the largest value (ties: smaller latent index first),
// written as outIdx/outVal[r * outStride + outOffset + j], j < k, in that order (best first).
//   MODE 0 (select): candidate c < n has value vals[r * rowStride + c] and latent idxOffset + c
//   MODE 1 (merge):  candidate c < n has value vals[r * n + c] and latent idxIn[r * n + c]
//                    (merging per-shard selections when the latents are split across bindings)
// MASKED (window > 0): only latents with since[latent] >= window are eligible (AuxK's dead latents).
// Fewer than k eligible candidates: the rest get latent 0xFFFFFFFF (SENTINEL) and value 0.
// Returned values are the raw pre-activations.
//
// One thread per row, in three steps. CPU adapters such as SwiftShader run every branch of a loop body
// for all lanes (masked), so the loops over all candidates are branch-free and the rare work (heap
// insertions) runs in a loop of its own:
//  1. threshold t = the smallest of the maxima of k chunks of the row's eligible candidates: k candidates
//     are >= t, so none below t is selected (no threshold when a chunk has no eligible candidate);
//  2. the row in blocks of BLOCK groups of 4 candidates: a branch-free pass notes which candidates of each
//     group would enter the heap as it stood before the block (>= t and ranking before its root), then
//     those go through the heap: the running top k as a heap whose root (worst kept) stays in registers
//     (log k moves per insertion);
//  3. heap sort, best first.
// MODE, MASKED and PRIVATE are overrides rather than Params for the same reason: a runtime branch costs both
// sides.
override WG: u32 = 64;
override MODE: u32 = 0u;
override MASKED: bool = false;
override PRIVATE: bool = true;
const SENTINEL: u32 = 0xffffffffu;
const BLOCK: u32 = 64u;
const KMAX: u32 = 64u;

struct Params { rows: u32, n: u32, k: u32, rowStride: u32, idxOffset: u32, window: u32, outStride: u32, outOffset: u32 }

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

// Candidate c < n of the row: (value, latent), latent SENTINEL when it is not eligible.
struct Cand { v: f32, i: u32 }

fn candidate(row: u32, c: u32) -> Cand {
  var r: Cand;
  if (MODE == 0u) {
    r = Cand(vals[row * params.rowStride + c], params.idxOffset + c);
  } else {
    r = Cand(vals[row * params.n + c], idxIn[row * params.n + c]);
  }
  if (MASKED) {
    let dead = since[select(0u, r.i, r.i != SENTINEL)] >= params.window;
    r.i = select(SENTINEL, r.i, dead);
  }
  return r;
}

// Candidates 4g … 4g + 3 (those past n are not eligible), unrolled.
struct Cand4 { v: vec4f, i: vec4u }

fn lane(row: u32, c: u32) -> Cand {
  let last = params.n - 1u;
  let e = candidate(row, min(c, last));
  return Cand(e.v, select(SENTINEL, e.i, c <= last));
}

fn group(row: u32, g: u32) -> Cand4 {
  let a = lane(row, 4u * g);
  let b = lane(row, 4u * g + 1u);
  let c = lane(row, 4u * g + 2u);
  let d = lane(row, 4u * g + 3u);
  return Cand4(vec4f(a.v, b.v, c.v, d.v), vec4u(a.i, b.i, c.i, d.i));
}

// The heap: in private memory when k <= KMAX (override PRIVATE; faster on CPU adapters), else in the
// row's output slots [base, base + k).
var<private> heapV: array<f32, KMAX>;
var<private> heapI: array<u32, KMAX>;

fn heapGet(base: u32, j: u32) -> Cand {
  if (PRIVATE) { return Cand(heapV[j], heapI[j]); }
  return Cand(outVal[base + j], outIdx[base + j]);
}

fn heapSet(base: u32, j: u32, e: Cand) {
  if (PRIVATE) {
    heapV[j] = e.v;
    heapI[j] = e.i;
  } else {
    outVal[base + j] = e.v;
    outIdx[base + j] = e.i;
  }
}

// Places e at the root of the heap of `size` and moves it down to where it belongs.
fn siftDown(base: u32, size: u32, e: Cand) {
  var p = 0u;
  loop {
    let l = 2u * p + 1u;
    if (l >= size) { break; }
    var c = l;
    var ce = heapGet(base, l);
    if (l + 1u < size) {
      let r = heapGet(base, l + 1u);
      if (before(ce.v, ce.i, r.v, r.i)) { c = l + 1u; ce = r; }
    }
    // the worse child rises while it ranks after e
    if (!before(e.v, e.i, ce.v, ce.i)) { break; }
    heapSet(base, p, ce);
    p = c;
  }
  heapSet(base, p, e);
}

// Appends e to the heap of `size` and moves it up while its parent ranks before it.
fn siftUp(base: u32, size: u32, e: Cand) {
  var q = size;
  while (q > 0u) {
    let parent = (q - 1u) / 2u;
    let pe = heapGet(base, parent);
    if (!before(pe.v, pe.i, e.v, e.i)) { break; }
    heapSet(base, q, pe);
    q = parent;
  }
  heapSet(base, q, e);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (row >= params.rows) { return; }
  let k = params.k;
  let groups = (params.n + 3u) / 4u;
  let base = row * params.outStride + params.outOffset;

  // 1. threshold over k chunks of groups (size or size + 1 groups each)
  var t = 0.0;
  var haveT = groups >= k;
  if (haveT) {
    let size = groups / k;
    let rem = groups % k;
    var g = 0u;
    for (var q = 0u; q < k; q++) {
      let end = g + size + select(0u, 1u, q < rem);
      // per lane of the group: maximum so far (valid where seen)
      var m = vec4f(0.0);
      var seen = vec4<bool>(false);
      for (; g < end; g++) {
        let e = group(row, g);
        let ok = e.i != vec4u(SENTINEL);
        m = select(m, select(e.v, max(m, e.v), seen), ok);
        seen = seen | ok;
      }
      var cm = m.x;
      cm = select(cm, select(m.y, max(cm, m.y), seen.x), seen.y);
      cm = select(cm, select(m.z, max(cm, m.z), any(seen.xy)), seen.z);
      cm = select(cm, select(m.w, max(cm, m.w), any(seen.xyz)), seen.w);
      let cs = any(seen);
      t = select(cm, min(t, cm), q > 0u);
      haveT = haveT && cs;
    }
  }

  // 2. blocks of groups
  var count = 0u;
  var rootV = 0.0;
  var rootI = SENTINEL;
  var pend: array<u32, BLOCK>;
  var g = 0u;
  loop {
    if (g >= groups) { break; }
    let end = min(g + BLOCK, groups);
    // pend[np] = group << 4 | mask of its candidates that would enter the heap (groups < 2^28: a binding
    // holds under 4 GiB)
    var np = 0u;
    for (; g < end; g++) {
      let e = group(row, g);
      let rv = vec4f(rootV);
      let eligible = e.i != vec4u(SENTINEL);
      let below = vec4<bool>(haveT) & (e.v < vec4f(t));
      let beatsRoot = vec4<bool>(count < k) | (e.v > rv) | ((e.v == rv) & (e.i < vec4u(rootI)));
      let enter = eligible & !below & beatsRoot;
      pend[np] = (g << 4u) | dot(select(vec4u(0u), vec4u(1u, 2u, 4u, 8u), enter), vec4u(1u));
      np += select(0u, 1u, any(enter));
    }
    var p = 0u;
    var bits = 0u;
    var c0 = 0u;
    loop {
      if (bits == 0u) {
        if (p >= np) { break; }
        c0 = (pend[p] >> 4u) * 4u;
        bits = pend[p] & 15u;
        p++;
      }
      let e = candidate(row, c0 + firstTrailingBit(bits));
      bits &= bits - 1u;
      if (count == k) {
        // the root may have risen since the block's pass
        if (!before(e.v, e.i, rootV, rootI)) { continue; }
        siftDown(base, k, e);
      } else {
        siftUp(base, count, e);
        count++;
      }
      let root = heapGet(base, 0u);
      rootV = root.v;
      rootI = root.i;
    }
  }

  // 3. heap sort: the worst goes last, repeatedly, leaving the list best first
  var end = count;
  while (end > 1u) {
    end--;
    let last = heapGet(base, end);
    heapSet(base, end, heapGet(base, 0u));
    siftDown(base, end, last);
  }
  for (var j = 0u; j < k; j++) {
    if (j >= count) {
      outVal[base + j] = 0.0;
      outIdx[base + j] = SENTINEL;
    } else if (PRIVATE) {
      outVal[base + j] = heapV[j];
      outIdx[base + j] = heapI[j];
    }
  }
}
