// Deltas of every adapter stream against the base stream:
//   delta[a, i] = x[(a + 1)·n + i] − x[i],   a < adapters, i < n
// x: [adapters + 1, n] f32 (stream 0 = base);  delta: [adapters, n] f32. One thread per output; grid may be folded.
override WG: u32 = 256;

struct Params { n: u32, adapters: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.n * params.adapters) { return; }
  let i = t % params.n;
  delta[t] = x[t + params.n] - x[i];
}
