// Causal GQA attention with Gemma-2's soft-cap and optional sliding window. One thread per (sequence n,
// head h, query i); keys are taken in tiles of TK with an online softmax, so any sequence length works.
//   g = floor(h / (heads / kvHeads))
//   s_j = (q[n,i,h] · k[n,j,g]) · scale;  s_j = cap·tanh(s_j / cap) when cap > 0   (before the mask)
//   allowed: j <= i, and i − j < window when window > 0
//   o[n,i,h] = Σ_j softmax_j(s)_j · v[n,j,g]
// q, o: [seqs, seq, heads, hd] f32;  k, v: [seqs, seq, kvHeads, hd] f32  (seqs = streams × batch); hd <= MAX_HD.
// No workgroup memory or barriers: neighbouring threads are neighbouring queries of one head and read the same
// k/v rows, which the cache serves (barriers are what software rasterisers handle worst). The grid may be folded.
override WG: u32 = 64;
const TK: u32 = 32u;
const MAX_HD: u32 = 256u;
const NEG: f32 = -3.0e38;

struct Params { seqs: u32, seq: u32, heads: u32, kvHeads: u32, hd: u32, window: u32, scale: f32, cap: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;

fn stableTanh(z: f32) -> f32 {
  let e = exp(-2.0 * min(abs(z), 15.0));
  return sign(z) * (1.0 - e) / (1.0 + e);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y) * WG + lid;
  let S = params.seq;
  let H = params.heads;
  let hd = params.hd;
  if (t >= params.seqs * H * S) { return; }
  let i = t % S;
  let h = (t / S) % H;
  let n = t / (S * H);
  let g = h / (H / params.kvHeads);
  let qBase = ((n * S + i) * H + h) * hd;

  var acc: array<f32, MAX_HD>;
  var s: array<f32, TK>;
  var jStart = 0u;
  if (params.window > 0u && i + 1u > params.window) { jStart = i + 1u - params.window; }
  var mRun = NEG;
  var lRun = 0.0;
  for (var t0 = jStart; t0 <= i; t0 += TK) {
    let count = min(TK, i + 1u - t0);
    var mTile = NEG;
    for (var jj = 0u; jj < count; jj++) {
      let kBase = ((n * S + t0 + jj) * params.kvHeads + g) * hd;
      var dotv = 0.0;
      for (var d = 0u; d < hd; d++) { dotv += q[qBase + d] * k[kBase + d]; }
      var sc = dotv * params.scale;
      if (params.cap > 0.0) { sc = params.cap * stableTanh(sc / params.cap); }
      s[jj] = sc;
      mTile = max(mTile, sc);
    }
    let mNew = max(mRun, mTile);
    // first tile: mRun = NEG gives corr = 0 while acc and lRun are still 0
    let corr = exp(mRun - mNew);
    lRun *= corr;
    for (var d = 0u; d < hd; d++) { acc[d] *= corr; }
    for (var jj = 0u; jj < count; jj++) {
      let p = exp(s[jj] - mNew);
      lRun += p;
      let vBase = ((n * S + t0 + jj) * params.kvHeads + g) * hd;
      for (var d = 0u; d < hd; d++) { acc[d] += p * v[vBase + d]; }
    }
    mRun = mNew;
  }
  for (var d = 0u; d < hd; d++) { o[qBase + d] = acc[d] / lRun; }
}
