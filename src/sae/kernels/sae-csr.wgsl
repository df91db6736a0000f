// Inverts a [rows, kk] sparse code into per-latent lists (CSR), in a deterministic order, so weight
// gradients sum each latent's entries in the same order on every run (resumed runs stay bitwise equal).
// Counting sort in five dispatches (cost O(rows·kk + m + Σ list²), not O(m · rows·kk)):
//   mode 0 (clear): offsets[i] = 0                                            one thread per i <= m
//   mode 1 (count): offsets[idx[e] + 1] += 1 (atomic) for idx[e] < m          one thread per entry e < count
//   mode 2 (scan):  offsets[i + 1] = Σ_{l < i} cnt(l) (start of list i), offsets[0] = 0   ONE workgroup
//   mode 3 (fill):  entries[atomicAdd(offsets[idx[e] + 1], 1)] = e            one thread per entry e < count
//                   (afterwards offsets[i] = start of list i for every i <= m; order inside a list arbitrary)
//   mode 4 (sort):  insertion-sorts entries[offsets[i] .. offsets[i+1]) ascending   one thread per latent i < m
//                   (lists are short and the fill leaves them nearly sorted, so this is ~linear)
// The result is exactly: entries[offsets[i] ..] = the e with idx[e] == i, ascending.
// offsets: [m + 1] u32; entries: [rows·kk] u32 (flat entry e = b·kk + j); SENTINEL (or any >= m) entries
// belong to no list, and entries[offsets[m] ..] are left untouched.
// Entry point `serial` (CPU adapters: atomics are slow there, plain serial loops are not) builds the same
// lists in one invocation: count, exclusive scan, fill in ascending e (so no sort is needed).
override WG: u32 = 256;

struct Params { m: u32, count: u32, mode: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> offsets: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> entries: array<u32>;

var<workgroup> part: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (params.mode == 2u) {
    // chunked exclusive scan of cnt(l) = offsets[l + 1], l < m: each thread sums a contiguous chunk,
    // the workgroup scans chunk totals
    let chunk = (params.m + WG - 1u) / WG;
    let start = min(lid * chunk, params.m);
    let end = min(start + chunk, params.m);
    var sum = 0u;
    for (var l = start; l < end; l++) { sum += atomicLoad(&offsets[l + 1u]); }
    part[lid] = sum;
    workgroupBarrier();
    for (var s = 1u; s < WG; s <<= 1u) {
      var add = 0u;
      if (lid >= s) { add = part[lid - s]; }
      workgroupBarrier();
      part[lid] += add;
      workgroupBarrier();
    }
    var run = part[lid] - sum;
    for (var l = start; l < end; l++) {
      let c = atomicLoad(&offsets[l + 1u]);
      atomicStore(&offsets[l + 1u], run);
      run += c;
    }
    if (lid == 0u) { atomicStore(&offsets[0], 0u); }
    return;
  }
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (params.mode == 0u) {
    if (t > params.m) { return; }
    atomicStore(&offsets[t], 0u);
  } else if (params.mode == 1u) {
    if (t >= params.count) { return; }
    let i = idx[t];
    if (i >= params.m) { return; }
    atomicAdd(&offsets[i + 1u], 1u);
  } else if (params.mode == 3u) {
    if (t >= params.count) { return; }
    let i = idx[t];
    if (i >= params.m) { return; }
    let pos = atomicAdd(&offsets[i + 1u], 1u);
    if (pos < params.count) { entries[pos] = t; }
  } else {
    if (t >= params.m) { return; }
    let start = atomicLoad(&offsets[t]);
    let end = min(atomicLoad(&offsets[t + 1u]), params.count);
    for (var p = start + 1u; p < end; p++) {
      let e = entries[p];
      var q = p;
      while (q > start && entries[q - 1u] > e) {
        entries[q] = entries[q - 1u];
        q--;
      }
      entries[q] = e;
    }
  }
}

@group(0) @binding(2) var<storage, read_write> offsetsPlain: array<u32>;

@compute @workgroup_size(1)
fn serial() {
  let m = params.m;
  for (var i = 0u; i <= m; i++) { offsetsPlain[i] = 0u; }
  for (var e = 0u; e < params.count; e++) {
    let i = idx[e];
    if (i < m) { offsetsPlain[i + 1u] += 1u; }
  }
  // offsets[i + 1] = start of list i; the fill then advances it to the start of list i + 1
  var run = 0u;
  for (var i = 0u; i < m; i++) {
    let c = offsetsPlain[i + 1u];
    offsetsPlain[i + 1u] = run;
    run += c;
  }
  for (var e = 0u; e < params.count; e++) {
    let i = idx[e];
    if (i < m) {
      let pos = offsetsPlain[i + 1u];
      entries[pos] = e;
      offsetsPlain[i + 1u] = pos + 1u;
    }
  }
}
