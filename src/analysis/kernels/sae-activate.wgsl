// SAE activation in place over pre-activations [rows, m], with firing counts:
//   relu (mode 0):     acts = pre             if pre > 0
//   jumprelu (mode 1): acts = pre             if pre > 0 and pre > threshold[i]   (strict, as Gemma Scope)
//   topk (mode 2):     acts = pre             if pre > 0 and key(pre) ≥ cut[r]   (cut = the row's k-th largest key)
//   acts = 0 otherwise;  l0[r] += 1 and fires[i] += 1 for every nonzero acts[r, i]
// pre/acts: [rows, m] f32 (same buffer);  threshold: [m] f32 (mode 1);  cut: [rows] u32 (mode 2);
// l0: [rows] u32;  fires: [m] u32 (both accumulated into). key() orders f32 as u32 (see topk-cut.wgsl).
// One thread per element; the 1-D grid may be folded into 2-D/3-D.
override WG: u32 = 256;

struct Params { rows: u32, m: u32, mode: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>;
@group(0) @binding(2) var<storage, read> threshold: array<f32>;
@group(0) @binding(3) var<storage, read> cut: array<u32>;
@group(0) @binding(4) var<storage, read_write> l0: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> fires: array<atomic<u32>>;

fn key(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  if (e >= params.rows * params.m) { return; }
  let r = e / params.m;
  let i = e % params.m;
  let p = acts[e];
  var on = p > 0.0;
  if (params.mode == 1u) { on = on && p > threshold[i]; }
  if (params.mode == 2u) { on = on && key(p) >= cut[r]; }
  acts[e] = select(0.0, p, on);
  if (on) {
    atomicAdd(&l0[r], 1u);
    atomicAdd(&fires[i], 1u);
  }
}
