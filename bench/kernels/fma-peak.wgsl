// The adapter's FMA rate: each thread iterates 8 independent vec4 chains a = fma(a, mul, add) (no memory traffic,
// enough independent chains to hide the FMA latency), then writes the sum of its 32 lanes so nothing is dead code.
// Chain j of thread t starts at (t % 1024 + j) · 1e-3; mul < 1 keeps every chain bounded (a fixed point at add/(1−mul)).
override WG: u32 = 256;

struct Params { iters: u32, mul: f32, add: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let s = f32(t % 1024u) * 1e-3;
  var a0 = vec4f(s) + vec4f(0.0, 1e-3, 2e-3, 3e-3);
  var a1 = a0 + 4e-3;
  var a2 = a0 + 8e-3;
  var a3 = a0 + 12e-3;
  var a4 = a0 + 16e-3;
  var a5 = a0 + 20e-3;
  var a6 = a0 + 24e-3;
  var a7 = a0 + 28e-3;
  let m = vec4f(params.mul);
  let c = vec4f(params.add);
  for (var i = 0u; i < params.iters; i++) {
    a0 = fma(a0, m, c);
    a1 = fma(a1, m, c);
    a2 = fma(a2, m, c);
    a3 = fma(a3, m, c);
    a4 = fma(a4, m, c);
    a5 = fma(a5, m, c);
    a6 = fma(a6, m, c);
    a7 = fma(a7, m, c);
  }
  let v = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
  out[t] = v.x + v.y + v.z + v.w;
}
