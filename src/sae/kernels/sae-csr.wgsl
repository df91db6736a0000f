// Inverts a [rows, kk] sparse code into per-latent lists (CSR), in a deterministic order, so weight
// gradients sum each latent's entries in the same order on every run (resumed runs stay bitwise equal).
//   mode 0 (count): offsets[i] = #{e < rows·kk : idx[e] == i}              one thread per latent i < m
//   mode 1 (scan):  offsets[0..m] = exclusive prefix sum, offsets[m] = total   ONE workgroup
//   mode 2 (fill):  entries[offsets[i] ..] = the e with idx[e] == i, ascending   one thread per latent
// offsets: [m + 1] u32; entries: [rows·kk] u32 (flat entry e = b·kk + j); SENTINEL entries belong to no list.
override WG: u32 = 256;

struct Params { m: u32, count: u32, mode: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> entries: array<u32>;

var<workgroup> part: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (params.mode == 1u) {
    // chunked exclusive scan: each thread sums a contiguous chunk, the workgroup scans chunk totals
    let chunk = (params.m + WG - 1u) / WG;
    let start = min(lid * chunk, params.m);
    let end = min(start + chunk, params.m);
    var sum = 0u;
    for (var i = start; i < end; i++) { sum += offsets[i]; }
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
    for (var i = start; i < end; i++) {
      let c = offsets[i];
      offsets[i] = run;
      run += c;
    }
    if (lid == WG - 1u) { offsets[params.m] = part[lid]; }
    return;
  }
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.m) { return; }
  if (params.mode == 0u) {
    var n = 0u;
    for (var e = 0u; e < params.count; e++) { n += select(0u, 1u, idx[e] == i); }
    offsets[i] = n;
  } else {
    var pos = offsets[i];
    for (var e = 0u; e < params.count; e++) {
      if (idx[e] == i) {
        entries[pos] = e;
        pos++;
      }
    }
  }
}
