// Rotary embedding in place, 'rotate_half' pairs (i, i + hd/2), from a CPU-built table (WGSL sin/cos are only
// accurate on [-pi, pi]; angles reach p·inv_freq[0] = p rad):
//   a = x[i], b = x[i + hd/2];  x[i] = a·cos[p, i] − b·sin[p, i];  x[i + hd/2] = b·cos[p, i] + a·sin[p, i]
// x: [rows, heads, hd] f32 with row r at position p = r mod seq (rows = streams × batch × seq);
// cs: [seq, hd/2, 2] f32 (cos, sin). One thread per (row, head, i < hd/2); the grid may be folded.
override WG: u32 = 64;

struct Params { rows: u32, heads: u32, half: u32, seq: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cs: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  let perRow = params.heads * params.half;
  if (t >= params.rows * perRow) { return; }
  let row = t / perRow;
  let head = (t % perRow) / params.half;
  let i = t % params.half;
  let p = row % params.seq;
  let c = cs[(p * params.half + i) * 2u];
  let s = cs[(p * params.half + i) * 2u + 1u];
  let base = (row * params.heads + head) * params.half * 2u;
  let a = x[base + i];
  let b = x[base + i + params.half];
  x[base + i] = a * c - b * s;
  x[base + i + params.half] = b * c + a * s;
}
