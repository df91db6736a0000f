// For one chunk pair of unit rows stored column-major, aT [d, 4·quadsA] and bT [d, 4·quadsB]
// (quads = ceil(rows / 4); padding rows are zero):
//   c[i, j] = <A_i, B_j>
//   rowVal[i, s] = max over the B rows j of strip s of c[i, j], rowIdx[i, s] = the first such j (chunk-local);
//                  a strip is STRIP consecutive quads of B rows (4·STRIP rows)
//   colVal[j, q] = max over the 4 A rows i of quad q of c[i, j], colIdx[j, q] = the first such i
//   hist[bin(c)] += 1 for every pair when bins > 0, bin(c) = clamp(floor((c + 1) / 2 · bins), 0, bins − 1)
// The cosine block is never stored. Each thread owns one A quad and one B strip: per B quad a 4×4 block from
// 2 contiguous vec4 loads and 4 vec4 FMAs per k, the A rows' maxima kept in registers along the strip.
// No barriers unless a histogram is asked for (SwiftShader handles barriers badly).
// Grid: x = ceil(quadsA / WG), y = strips = ceil(quadsB / STRIP).
// rowVal/rowIdx: [rowsA, strips];  colVal/colIdx: [rowsB, quadsA];  hist: [bins] u32 (bins ≤ 256).
override WG: u32 = 64;
override STRIP: u32 = 8;
const NONE: f32 = -4.0;
const NO_INDEX: u32 = 0xffffffffu;

struct Params { rowsA: u32, rowsB: u32, d: u32, quadsA: u32, quadsB: u32, strips: u32, bins: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> rowVal: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowIdx: array<u32>;
@group(0) @binding(5) var<storage, read_write> colVal: array<f32>;
@group(0) @binding(6) var<storage, read_write> colIdx: array<u32>;
@group(0) @binding(7) var<storage, read_write> hist: array<atomic<u32>>;

var<workgroup> sHist: array<atomic<u32>, 256>;

fn binOf(c: f32) -> u32 {
  let nb = f32(params.bins);
  return u32(clamp(floor((c + 1.0) * 0.5 * nb), 0.0, nb - 1.0));
}

/** First max over the 4 lanes of v among those with valid[l], as (value, lane) ; lane = NO_INDEX if none. */
fn bestLane(v: vec4f, valid: vec4<bool>) -> vec2f {
  var best = NONE;
  var lane = -1.0;
  for (var l = 0u; l < 4u; l++) {
    if (valid[l] && v[l] > best) { best = v[l]; lane = f32(l); }
  }
  return vec2f(best, lane);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let qa = wid.x * WG + lid;
  let strip = wid.y;
  let withHist = params.bins > 0u;
  if (withHist) {
    for (var h = lid; h < params.bins; h += WG) { atomicStore(&sHist[h], 0u); }
    workgroupBarrier();
  }
  // Threads past the last quad still run (barriers need every thread) but compute nothing.
  let live = qa < params.quadsA;
  let i0 = qa * 4u;
  let rowOk = vec4<bool>(i0 < params.rowsA, i0 + 1u < params.rowsA, i0 + 2u < params.rowsA, i0 + 3u < params.rowsA);
  var rowBest = vec4f(NONE);
  var rowArg = vec4u(NO_INDEX);
  let qbEnd = min((strip + 1u) * STRIP, params.quadsB);
  for (var qb = strip * STRIP; live && qb < qbEnd; qb++) {
    var c0 = vec4f(0.0);
    var c1 = vec4f(0.0);
    var c2 = vec4f(0.0);
    var c3 = vec4f(0.0);
    for (var k = 0u; k < params.d; k++) {
      let av = a[k * params.quadsA + qa];
      let bv = b[k * params.quadsB + qb];
      c0 += av.x * bv;
      c1 += av.y * bv;
      c2 += av.z * bv;
      c3 += av.w * bv;
    }
    let j0 = qb * 4u;
    let colOk = vec4<bool>(j0 < params.rowsB, j0 + 1u < params.rowsB, j0 + 2u < params.rowsB, j0 + 3u < params.rowsB);
    // Rows: c_r holds row i0 + r against columns j0..j0+3; strict '>' in column order keeps the first max.
    let r0 = bestLane(c0, colOk);
    let r1 = bestLane(c1, colOk);
    let r2 = bestLane(c2, colOk);
    let r3 = bestLane(c3, colOk);
    let cand = vec4f(r0.x, r1.x, r2.x, r3.x);
    let candArg = vec4u(j0) + vec4u(vec4f(r0.y, r1.y, r2.y, r3.y));
    let better = cand > rowBest;
    rowBest = select(rowBest, cand, better);
    rowArg = select(rowArg, candArg, better);
    // Columns: max over this quad's 4 rows for each of the 4 columns.
    for (var c = 0u; c < 4u; c++) {
      let j = j0 + c;
      if (j < params.rowsB) {
        let col = bestLane(vec4f(c0[c], c1[c], c2[c], c3[c]), rowOk);
        colVal[j * params.quadsA + qa] = col.x;
        colIdx[j * params.quadsA + qa] = select(NO_INDEX, i0 + u32(col.y), col.y >= 0.0);
      }
    }
    if (withHist) {
      for (var c = 0u; c < 4u; c++) {
        if (colOk[c]) {
          if (rowOk.x) { atomicAdd(&sHist[binOf(c0[c])], 1u); }
          if (rowOk.y) { atomicAdd(&sHist[binOf(c1[c])], 1u); }
          if (rowOk.z) { atomicAdd(&sHist[binOf(c2[c])], 1u); }
          if (rowOk.w) { atomicAdd(&sHist[binOf(c3[c])], 1u); }
        }
      }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    if (live && rowOk[r]) {
      rowVal[(i0 + r) * params.strips + strip] = rowBest[r];
      rowIdx[(i0 + r) * params.strips + strip] = rowArg[r];
    }
  }
  if (withHist) {
    workgroupBarrier();
    for (var h = lid; h < params.bins; h += WG) {
      let n = atomicLoad(&sHist[h]);
      if (n > 0u) { atomicAdd(&hist[h], n); }
    }
  }
}
