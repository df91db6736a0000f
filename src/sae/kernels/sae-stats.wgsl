// Per-step statistics and dead-latent bookkeeping, ONE workgroup (fixed-order tree sums: deterministic);
// entry point `serial` does the same in one invocation (CPU adapters).
//   sse, auxSse: [rows] per-row squared errors;  latStats: [m, 4] (fires, fsum, window pairs, 0);  norms: [m]
//   mse = sum sse / B;  l0 = sum fires / B;  l1 = sum_i fsum_i · norms_i / B;  aux = dead[1] · sum auxSse / B
//   loss = mse + lam · l1 (arch 0, ReLU) | mse + lam · l0 (arch 1, JumpReLU) | mse + auxCoef · aux (arch 2, TopK)
//   out[slot · 8 ..] = (loss, mse, l1, l0, aux, window pairs, dead latents before this step, 0)
// updateDead = 1 (training) then counts tokens since each latent last fired (since [m] u32, saturating) and
// writes dead = (#{since >= window}, min(# / kAux, 1)) for the next step's AuxK.
override WG: u32 = 256;

struct Params { rows: u32, m: u32, slot: u32, arch: u32, lam: f32, auxCoef: f32, window: u32, kAux: u32, updateDead: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sse: array<f32>;
@group(0) @binding(2) var<storage, read> auxSse: array<f32>;
@group(0) @binding(3) var<storage, read> latStats: array<vec4f>;
@group(0) @binding(4) var<storage, read> norms: array<f32>;
@group(0) @binding(5) var<storage, read_write> since: array<u32>;
@group(0) @binding(6) var<storage, read_write> dead: array<f32>;
@group(0) @binding(7) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<vec4f, WG>;
var<workgroup> red2: array<vec2f, WG>;

fn reduce(lid: u32) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] += red[lid + s];
      red2[lid] += red2[lid + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var rowSums = vec4f(0.0);
  for (var b = lid; b < params.rows; b += WG) {
    rowSums.x += sse[b];
    if (params.arch == 2u && params.kAux > 0u) { rowSums.y += auxSse[b]; }
  }
  var lat = vec4f(0.0);
  var deadNow = 0.0;
  for (var i = lid; i < params.m; i += WG) {
    let s = latStats[i];
    lat += vec4f(s.x, s.y * norms[i], s.z, 0.0);
    if (params.updateDead != 0u && since[i] >= params.window) { deadNow += 1.0; }
  }
  red[lid] = lat;
  red2[lid] = vec2f(rowSums.x, rowSums.y);
  let deadBefore = dead[0];
  let auxScale = dead[1];
  reduce(lid);
  let tot = red[0];
  let rows = red2[0];
  workgroupBarrier();
  // dead-latent window: reset on firing, else add this batch's tokens (saturating at 2^31)
  var deadAfter = 0.0;
  if (params.updateDead != 0u) {
    for (var i = lid; i < params.m; i += WG) {
      var s = since[i];
      if (latStats[i].x > 0.0) { s = 0u; } else { s = min(s + params.rows, 0x80000000u); }
      since[i] = s;
      if (s >= params.window) { deadAfter += 1.0; }
    }
  }
  red[lid] = vec4f(deadAfter, deadNow, 0.0, 0.0);
  red2[lid] = vec2f(0.0);
  reduce(lid);
  if (lid != 0u) { return; }
  writeRecord(tot.xyz, rows, deadBefore, auxScale, red[0].y, red[0].x);
}

// out[slot] and (training) dead from the sums: tot = (fires, fsum·norm, window pairs), rows = (sse, auxSse)
fn writeRecord(tot: vec3f, rows: vec2f, deadBefore: f32, auxScale: f32, deadNow: f32, deadAfter: f32) {
  let B = f32(params.rows);
  let mse = rows.x / B;
  let l0 = tot.x / B;
  let l1 = tot.y / B;
  let aux = auxScale * rows.y / B;
  var loss = mse;
  if (params.arch == 0u) { loss = mse + params.lam * l1; }
  else if (params.arch == 1u) { loss = mse + params.lam * l0; }
  else { loss = mse + params.auxCoef * aux; }
  let base = params.slot * 8u;
  out[base] = loss;
  out[base + 1u] = mse;
  out[base + 2u] = l1;
  out[base + 3u] = l0;
  out[base + 4u] = aux;
  out[base + 5u] = tot.z;
  out[base + 6u] = select(deadBefore, deadNow, params.updateDead != 0u);
  out[base + 7u] = 0.0;
  if (params.updateDead != 0u) {
    dead[0] = deadAfter;
    dead[1] = select(0.0, min(deadAfter / f32(max(params.kAux, 1u)), 1.0), params.kAux > 0u);
  }
}

// The same in one invocation with plain loops (CPU adapters, which run barriers slowly): sums in index order.
@compute @workgroup_size(1)
fn serial() {
  var rows = vec2f(0.0);
  for (var b = 0u; b < params.rows; b++) {
    rows.x += sse[b];
    if (params.arch == 2u && params.kAux > 0u) { rows.y += auxSse[b]; }
  }
  var tot = vec3f(0.0);
  var deadNow = 0.0;
  var deadAfter = 0.0;
  for (var i = 0u; i < params.m; i++) {
    let s = latStats[i];
    tot += vec3f(s.x, s.y * norms[i], s.z);
    if (params.updateDead != 0u) {
      var n = since[i];
      if (n >= params.window) { deadNow += 1.0; }
      if (s.x > 0.0) { n = 0u; } else { n = min(n + params.rows, 0x80000000u); }
      since[i] = n;
      if (n >= params.window) { deadAfter += 1.0; }
    }
  }
  writeRecord(tot, rows, dead[0], dead[1], deadNow, deadAfter);
}
