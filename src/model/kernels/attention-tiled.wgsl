// Causal GQA attention, the GPU variant of attention.wgsl (same formula, mask, bindings and shapes):
//   g = floor(h / (heads / kvHeads));  s_j = (q[n,i,h] · k[n,j,g]) · scale, then cap·tanh(s_j / cap) when cap > 0
//   allowed: j <= i, and i − j < window when window > 0;  o[n,i,h] = Σ_j softmax_j(s)_j · v[n,j,g]
// q, o: [seqs, seq, heads, hd] f32;  k, v: [seqs, seq, kvHeads, hd] f32;  hd <= MAX_HD.
// A workgroup takes BQ consecutive queries of one (sequence, head) and walks the keys they can see in tiles of TK
// rows staged in workgroup memory, so each K/V row is read from memory once per BQ queries; online softmax across
// tiles. Consecutive queries rather than the heads sharing a kv head: Gemma-2 has only 2 of those per kv head.
// T threads share a query, thread t owning the dims d ≡ t (mod T): at hd 256 that is 32 q values and 32 output
// accumulators in registers instead of 256, and a key row is read as T consecutive floats. The T partial dot
// products meet in workgroup memory. K and V take turns in one buffer; at BQ 16 the workgroup uses
// 4·(TK·MAX_HD + BQ·TK·(T+1) + BQ·TK) = 13312 bytes, within the 16384 every adapter offers.
// The grid (seqs·heads·ceil(seq/BQ) workgroups) may be folded.
override BQ: u32 = 16;
const T: u32 = 8u;
const TK: u32 = 8u;
const MAX_HD: u32 = 256u;
const SLOTS: u32 = MAX_HD / T;
const NEG: f32 = -3.0e38;

struct Params { seqs: u32, seq: u32, heads: u32, kvHeads: u32, hd: u32, window: u32, scale: f32, cap: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;

/** the K tile, then the V tile: kv[jj·hd + d] = k|v[n, t0 + jj, g, d] */
var<workgroup> kv: array<f32, TK * MAX_HD>;
/** partial dots [BQ·TK scores][T], rows padded to T + 1 so the threads summing them hit different banks */
var<workgroup> part: array<f32, BQ * TK * (T + 1u)>;
/** the tile's scores [BQ][TK], NEG where masked */
var<workgroup> sc: array<f32, BQ * TK>;

fn stableTanh(z: f32) -> f32 {
  let e = exp(-2.0 * min(abs(z), 15.0));
  return sign(z) * (1.0 - e) / (1.0 + e);
}

fn allowed(i: u32, j: u32) -> bool {
  return j <= i && (params.window == 0u || i - j < params.window);
}

@compute @workgroup_size(BQ * T)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let S = params.seq;
  let H = params.heads;
  let KVH = params.kvHeads;
  let hd = params.hd;
  let blocks = (S + BQ - 1u) / BQ;
  let w = wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
  if (w >= params.seqs * H * blocks) { return; }
  let i0 = (w % blocks) * BQ;
  let h = (w / blocks) % H;
  let n = w / (blocks * H);
  let g = h / (H / KVH);
  let qi = lid / T;
  let t = lid % T;
  let i = i0 + qi;
  let qBase = ((n * S + i) * H + h) * hd;

  // constant trip counts (with a break) so that compilers can keep both arrays in registers
  var qv: array<f32, SLOTS>;
  var acc: array<f32, SLOTS>;
  if (i < S) {
    for (var r = 0u; r < SLOTS; r++) {
      let d = t + r * T;
      if (d >= hd) { break; }
      qv[r] = q[qBase + d];
    }
  }
  // keys first..last cover every query of the block (the window starts earliest for i0)
  let last = min(i0 + BQ, S) - 1u;
  var first = 0u;
  if (params.window > 0u && i0 + 1u > params.window) { first = i0 + 1u - params.window; }
  var mRun = NEG;
  var lRun = 0.0;
  for (var t0 = first; t0 <= last; t0 += TK) {
    let keys = min(TK, last + 1u - t0);
    for (var e = lid; e < keys * hd; e += BQ * T) {
      kv[e] = k[((n * S + t0 + e / hd) * KVH + g) * hd + e % hd];
    }
    workgroupBarrier();
    for (var jj = 0u; jj < keys; jj++) {
      var dotv = 0.0;
      for (var r = 0u; r < SLOTS; r++) {
        let d = t + r * T;
        if (d >= hd) { break; }
        dotv += qv[r] * kv[jj * hd + d];
      }
      part[(qi * TK + jj) * (T + 1u) + t] = dotv;
    }
    workgroupBarrier();
    // one score per (query, key) of the tile; K was last read above, so V replaces it meanwhile
    for (var s = lid; s < BQ * TK; s += BQ * T) {
      var score = NEG;
      if (s % TK < keys && allowed(i0 + s / TK, t0 + s % TK)) {
        var dotv = 0.0;
        for (var p = 0u; p < T; p++) { dotv += part[s * (T + 1u) + p]; }
        score = dotv * params.scale;
        if (params.cap > 0.0) { score = params.cap * stableTanh(score / params.cap); }
      }
      sc[s] = score;
    }
    for (var e = lid; e < keys * hd; e += BQ * T) {
      kv[e] = v[((n * S + t0 + e / hd) * KVH + g) * hd + e % hd];
    }
    workgroupBarrier();
    // the T threads of a query repeat the same max and sum, which is cheaper than sharing them
    var mTile = NEG;
    for (var jj = 0u; jj < keys; jj++) { mTile = max(mTile, sc[qi * TK + jj]); }
    let mNew = max(mRun, mTile);
    // Masked scores are NEG, so p = 0 once the query has seen an allowed key. Before that (window starts
    // later in the block) mNew = NEG gives p = 1 on masked keys, but the first allowed key's corr = exp(NEG − m) = 0
    // clears them; every query sees key i, so none ends with only those.
    let corr = exp(mRun - mNew);
    lRun *= corr;
    for (var r = 0u; r < SLOTS; r++) {
      let d = t + r * T;
      if (d >= hd) { break; }
      acc[r] *= corr;
    }
    for (var jj = 0u; jj < keys; jj++) {
      let p = exp(sc[qi * TK + jj] - mNew);
      lRun += p;
      for (var r = 0u; r < SLOTS; r++) {
        let d = t + r * T;
        if (d >= hd) { break; }
        acc[r] += p * kv[jj * hd + d];
      }
    }
    mRun = mNew;
    workgroupBarrier();
  }
  if (i < S) {
    for (var r = 0u; r < SLOTS; r++) {
      let d = t + r * T;
      if (d >= hd) { break; }
      o[qBase + d] = acc[r] / lRun;
    }
  }
}
