// Per-latent sums of a sparse code through its CSR lists (one thread per latent i < m):
//   dbias[i] = beta·dbias[i] + sum_{e in list(i)} g[e]                     (encoder bias gradient)
//   stats != 0 also writes latStats[i] = (fires, fsum, 0, 0): fires = #{e : val[e] > 0}, fsum = sum relu(val[e])
//   (L0, L1 and dead tracking read them; latStats is [m, 4] as for the dense path)
override WG: u32 = 64;

struct Params { m: u32, stats: u32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> entries: array<u32>;
@group(0) @binding(3) var<storage, read> val: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(6) var<storage, read_write> latStats: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.m) { return; }
  var db = 0.0;
  var nf = 0.0;
  var fs = 0.0;
  for (var p = offsets[i]; p < offsets[i + 1u]; p++) {
    let e = entries[p];
    db += g[e];
    let v = val[e];
    if (v > 0.0) { nf += 1.0; fs += v; }
  }
  if (params.beta != 0.0) { db += params.beta * dbias[i]; }
  dbias[i] = db;
  if (params.stats != 0u) {
    latStats[i] = vec4f(nf, fs, 0.0, 0.0);
  }
}
