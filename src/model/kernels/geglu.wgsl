// GeGLU with tanh GELU, in place on gate:
//   gate[i] = gelu_tanh(gate[i]) · up[i],  gelu_tanh(x) = 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³)))
// gate, up: [n] f32. tanh in a stable form (argument clamped: the cubic term reaches 15 on the fixtures).
// One thread per element; the grid may be folded.
override WG: u32 = 256;

struct Params { n: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> gate: array<f32>;

fn stableTanh(z: f32) -> f32 {
  let e = exp(-2.0 * min(abs(z), 15.0));
  return sign(z) * (1.0 - e) / (1.0 + e);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (i >= params.n) { return; }
  let x = gate[i];
  let t = stableTanh(0.7978845608028654 * (x + 0.044715 * x * x * x));
  gate[i] = 0.5 * x * (1.0 + t) * up[i];
}
