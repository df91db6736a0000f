// y[c, r] = x[r, c]      x: [rows, cols] f32, y: [cols, rows] f32; batched over z with strides rows·cols.
// A 16×16 tile passes through shared memory so both the reads and the writes are row-contiguous.
// Grid: x = ceil(cols / T), y = ceil(rows / T), z = batch.
override T: u32 = 16;

struct Params { rows: u32, cols: u32, batch: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

var<workgroup> tile: array<f32, T * (T + 1u)>;

@compute @workgroup_size(T, T)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let base = wid.z * params.rows * params.cols;
  let r = wid.y * T + lid.y;
  let c = wid.x * T + lid.x;
  if (r < params.rows && c < params.cols) { tile[lid.y * (T + 1u) + lid.x] = x[base + r * params.cols + c]; }
  workgroupBarrier();
  // Thread (lx, ly) now writes output row wid.x·T + ly, column wid.y·T + lx.
  let orow = wid.x * T + lid.y;
  let ocol = wid.y * T + lid.x;
  if (orow < params.cols && ocol < params.rows) { y[base + orow * params.rows + ocol] = tile[lid.x * (T + 1u) + lid.y]; }
}
