// Backward through a dense activation, one thread per latent i of the shard [c0, c0 + mc), looping over
// the batch in order (deterministic sums). pre, gf, gpre: [rows, mc]; coef, dbias, dlogTheta: [m];
// latStats: [m, 4] = (fires, fsum, window pairs, 0). lam = the L1 (ReLU) or L0 (JumpReLU) coefficient.
//   arch 0 (ReLU, L1 weighted by n_i = coef[i] = ||W_dec_i||):
//     gpre = (gf + lam/B · n_i) · [pre > 0]
//   arch 1 (JumpReLU, theta_i = coef[i], rectangle kernel K = [|pre - theta| <= eps/2]):
//     gpre = gf · [pre > theta];   dlogTheta_i = theta_i · (-(1/eps)) · sum_b K_bi (theta_i gf_bi + lam/B)
//   dbias_i = sum_b gpre_bi;  fires = #{b: f_bi != 0};  fsum = sum_b f_bi;  pairs = sum_b K_bi
// forwardOnly = 1 (evaluation) reads no gf and writes only latStats.
override WG: u32 = 64;

struct Params { rows: u32, mc: u32, c0: u32, arch: u32, lam: f32, eps: f32, forwardOnly: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> gf: array<f32>;
@group(0) @binding(3) var<storage, read> coef: array<f32>;
@group(0) @binding(4) var<storage, read_write> gpre: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(6) var<storage, read_write> dlogTheta: array<f32>;
@group(0) @binding(7) var<storage, read_write> latStats: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let il = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (il >= params.mc) { return; }
  let i = params.c0 + il;
  let ci = coef[i];
  let lamB = params.lam / f32(params.rows);
  let bw = params.eps;
  var db = 0.0;
  var dth = 0.0;
  var nf = 0.0;
  var fs = 0.0;
  var pairs = 0.0;
  for (var b = 0u; b < params.rows; b++) {
    let t = b * params.mc + il;
    let p = pre[t];
    var on: bool;
    if (params.arch == 0u) { on = p > 0.0; } else { on = p > ci; }
    if (on) { nf += 1.0; fs += p; }
    var inWindow = false;
    if (params.arch == 1u) {
      inWindow = abs(p - ci) <= 0.5 * bw;
      if (inWindow) { pairs += 1.0; }
    }
    if (params.forwardOnly != 0u) { continue; }
    let g = gf[t];
    var gp = 0.0;
    if (params.arch == 0u) {
      if (on) { gp = g + lamB * ci; }
    } else {
      if (on) { gp = g; }
      if (inWindow) { dth += ci * g + lamB; }
    }
    gpre[t] = gp;
    db += gp;
  }
  latStats[i] = vec4f(nf, fs, pairs, 0.0);
  if (params.forwardOnly != 0u) { return; }
  dbias[i] = db;
  if (params.arch == 1u) { dlogTheta[i] = ci * (-(1.0 / bw) * dth); }
}
