// out[i] = a[i] + alpha * b[i]        a, b, out: [n] f32
// One thread per element; the 1-D grid may be folded into 2-D/3-D (see src/gpu/dispatch.ts).
override WG: u32 = 256;

struct Params { n: u32, alpha: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.n) { return; }
  out[i] = a[i] + params.alpha * b[i];
}
