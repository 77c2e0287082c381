// Batch embedding lookup (the forward pass of an embedding layer):
//     out[r, c] = table[ids[r], c]    for r < rows, c < dim.
// One invocation per output element; the host checks ids < table rows and rows * dim < 2^32.
// The grid is two-dimensional so that more than 65535 workgroups fit: workgroup
// (x, y) is number x + y * num_workgroups.x.

// Mirrors `LookupParams` in src/gpu/lookup.rs.
struct Params {
    rows: u32,
    dim: u32,
    _pad0: u32,
    _pad1: u32,
}

// Invocations per workgroup.
override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let e = (wg.x + wg.y * groups.x) * WG + lane;
    if e >= params.rows * params.dim {
        return;
    }
    let r = e / params.dim;
    let c = e % params.dim;
    out[e] = table[ids[r] * params.dim + c];
}
