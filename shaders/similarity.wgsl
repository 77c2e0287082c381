// Cosine scores of unit query vectors against unit table rows: one matrix product
//     scores[i, r] = sum over c of queries[i, c] * rows[r, c]
// for i < params.queries, r < params.rows, c < params.dim; queries [queries, dim] and rows
// [rows, dim] row-major, scores [queries, rows] row-major. The host binds one block of table
// rows at a time, so that the score buffer stays bounded.
//
// Tiling: a workgroup of TILE x TILE invocations computes a (TILE * MICRO) x (TILE * MICRO)
// tile of scores, each invocation a MICRO x MICRO block of it held in registers. The tile's
// queries and rows pass through workgroup memory KT dimensions at a time, stored
// dimension-major so that the inner loop reads MICRO consecutive values per operand.
// Each score is summed over c in increasing order (dimensions past `dim` add 0 * 0).
//
// Workgroup (x, y) covers rows x * TILE * MICRO .. and queries y * TILE * MICRO ..; the host
// checks that the grid fits the dispatch limits.

// Mirrors `SimilarityParams` in src/gpu/similarity.rs.
struct Params {
    queries: u32,
    rows: u32,
    dim: u32,
    _pad: u32,
}

// Invocations per side of a workgroup (TILE * TILE invocations).
override TILE: u32 = 16;
// Dimensions staged in workgroup memory per step.
override KT: u32 = 16;
// Scores per invocation per side: the kernel holds MICRO x MICRO scores as MICRO vec4s.
const MICRO: u32 = 4u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

// [KT, TILE * MICRO]: value k of the tile's query (row) t at k * TILE * MICRO + t.
var<workgroup> query_tile: array<f32, TILE * MICRO * KT>;
var<workgroup> row_tile: array<f32, TILE * MICRO * KT>;

@compute @workgroup_size(TILE, TILE)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let side = TILE * MICRO;
    let row0 = wg.x * side;
    let query0 = wg.y * side;
    let staged = side * KT;
    // Scores of queries local.y * MICRO + i (acc_i) with rows local.x * MICRO + 0..3.
    var acc0 = vec4<f32>();
    var acc1 = vec4<f32>();
    var acc2 = vec4<f32>();
    var acc3 = vec4<f32>();
    let qt = local.y * MICRO;
    let rt = local.x * MICRO;
    for (var k0 = 0u; k0 < params.dim; k0 += KT) {
        // Stage KT dimensions of the tile's queries and rows; zeros outside the matrices.
        for (var e = lane; e < staged; e += TILE * TILE) {
            let t = e / KT;
            let k = e % KT;
            let c = k0 + k;
            var q = 0.0;
            if query0 + t < params.queries && c < params.dim {
                q = queries[(query0 + t) * params.dim + c];
            }
            var r = 0.0;
            if row0 + t < params.rows && c < params.dim {
                r = rows[(row0 + t) * params.dim + c];
            }
            query_tile[k * side + t] = q;
            row_tile[k * side + t] = r;
        }
        workgroupBarrier();
        for (var k = 0u; k < KT; k++) {
            let at = k * side;
            let a = vec4<f32>(
                query_tile[at + qt],
                query_tile[at + qt + 1u],
                query_tile[at + qt + 2u],
                query_tile[at + qt + 3u],
            );
            let b = vec4<f32>(
                row_tile[at + rt],
                row_tile[at + rt + 1u],
                row_tile[at + rt + 2u],
                row_tile[at + rt + 3u],
            );
            acc0 += a.x * b;
            acc1 += a.y * b;
            acc2 += a.z * b;
            acc3 += a.w * b;
        }
        workgroupBarrier();
    }
    let acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var i = 0u; i < MICRO; i++) {
        let query = query0 + qt + i;
        for (var j = 0u; j < MICRO; j++) {
            let row = row0 + rt + j;
            if query < params.queries && row < params.rows {
                scores[query * params.rows + row] = acc[i][j];
            }
        }
    }
}
