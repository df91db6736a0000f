// torch.optim.Adam (weight_decay 0, amsgrad off), element-wise, update t = 1, 2, …:
//   m = beta1·m + (1 - beta1)·g;  v = beta2·v + (1 - beta2)·g²
//   p = p - stepSize · m / (sqrt(v) / sqrtBc2 + eps),  stepSize = lr / (1 - beta1^t),  sqrtBc2 = sqrt(1 - beta2^t)
// (bias corrections and 1 − beta computed in float64 on the host: 1 − f32(0.999) is 1.3e-5 off 0.001;
// eps outside the square root; a zero g still moves m, v and p)
// p, g, m, v: [n] f32. Entry point main: each invocation updates PER consecutive elements (fewer
// invocations: CPU adapters pay per invocation); main4 (n % 4 = 0): one vec4 per invocation, which CPU
// adapters run about twice as fast (same arithmetic per element).
override WG: u32 = 64;
const PER: u32 = 4u;

struct Params { n: u32, stepSize: f32, sqrtBc2: f32, beta1: f32, beta2: f32, eps: f32, oneMinusBeta1: f32, oneMinusBeta2: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
// vec4 views for main4 (no entry point uses both views of one binding)
@group(0) @binding(1) var<storage, read_write> p4: array<vec4f>;
@group(0) @binding(2) var<storage, read> g4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> m4: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> v4: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid) * PER;
  for (var t = first; t < min(first + PER, params.n); t++) {
    let gt = g[t];
    let mt = params.beta1 * m[t] + params.oneMinusBeta1 * gt;
    let vt = params.beta2 * v[t] + params.oneMinusBeta2 * gt * gt;
    m[t] = mt;
    v[t] = vt;
    p[t] = p[t] - params.stepSize * (mt / (sqrt(vt) / params.sqrtBc2 + params.eps));
  }
}

@compute @workgroup_size(WG)
fn main4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.n / 4u) { return; }
  let gt = g4[t];
  let mt = params.beta1 * m4[t] + params.oneMinusBeta1 * gt;
  let vt = params.beta2 * v4[t] + params.oneMinusBeta2 * gt * gt;
  m4[t] = mt;
  v4[t] = vt;
  p4[t] = p4[t] - params.stepSize * (mt / (sqrt(vt) / params.sqrtBc2 + params.eps));
}
