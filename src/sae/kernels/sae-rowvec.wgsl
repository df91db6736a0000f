// Row/column helpers over x [rows, d] f32:
//   mode 0 (broadcast): y[b, c] = x[b, c] + alpha · v[c]           one thread per element; y [rows, d]
//   mode 1 (column sum): y[c] = beta · y[c] + alpha · sum_b x[b, c]  one thread per column, b in order; y [d]
override WG: u32 = 64;

struct Params { rows: u32, d: u32, mode: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (params.mode == 0u) {
    if (t >= params.rows * params.d) { return; }
    y[t] = x[t] + params.alpha * v[t % params.d];
  } else {
    if (t >= params.d) { return; }
    var acc = 0.0;
    for (var b = 0u; b < params.rows; b++) { acc += x[b * params.d + t]; }
    var out = params.alpha * acc;
    if (params.beta != 0.0) { out += params.beta * y[t]; }
    y[t] = out;
  }
}
