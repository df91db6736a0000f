// Element-wise ops over [n] f32 (any shape, flattened). One thread per element; the 1-D grid may be
// folded into 2-D/3-D (src/gpu/dispatch.ts), so the linear index comes from num_workgroups.
//   mul:   out[i] = alpha · a[i] · b[i]          bindings: a, b, out
//   sub:   out[i] = a[i] − alpha · b[i]          bindings: a, b, out
//   scale: out[i] = alpha · x[i] + beta          bindings: x, out
//   fill:  out[i] = alpha                        bindings: out
// Binary and unary entry points reuse binding numbers with their own variables; no entry point uses both.
override WG: u32 = 256;

struct Params { n: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> outUnary: array<f32>;
@group(0) @binding(1) var<storage, read_write> outFill: array<f32>;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
}

@compute @workgroup_size(WG)
fn mul(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = params.alpha * a[i] * b[i];
}

@compute @workgroup_size(WG)
fn sub(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = a[i] - params.alpha * b[i];
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  outUnary[i] = params.alpha * x[i] + params.beta;
}

@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  outFill[i] = params.alpha;
}
