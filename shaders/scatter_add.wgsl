// Gradient scatter-add (the backward pass of an embedding layer):
//     table[ids[r], c] += grads[r, c]    for r < rows, c < dim,
// with repeated ids allowed: every addition lands, through native float atomics
// (`atomicAdd` on `atomic<f32>`, wgpu's SHADER_FLOAT32_ATOMIC feature). The order of the
// additions is not fixed, so the result is order-independent only where the sums are exact.
// scatter_add_cas.wgsl is the same kernel for adapters without float atomics.

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
@group(0) @binding(1) var<storage, read_write> table: array<atomic<f32>>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;

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
    atomicAdd(&table[ids[r] * params.dim + c], grads[e]);
}
