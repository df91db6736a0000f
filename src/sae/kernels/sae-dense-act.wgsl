// Dense activation of one latent shard [c0, c0 + mc):   pre, f: [rows, mc] f32;  theta: [m] f32
//   arch 0 (ReLU):     f = max(pre, 0)
//   arch 1 (JumpReLU): f = pre · [pre > theta[c0 + i]]     (strict '>', fixtures README §7b)
override WG: u32 = 64;

struct Params { rows: u32, mc: u32, c0: u32, arch: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> f: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (t >= params.rows * params.mc) { return; }
  let p = pre[t];
  if (params.arch == 0u) {
    f[t] = max(p, 0.0);
  } else {
    f[t] = select(0.0, p, p > theta[params.c0 + t % params.mc]);
  }
}
