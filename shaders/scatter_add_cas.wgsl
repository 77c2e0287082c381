// Gradient scatter-add for adapters without float atomics (e.g. wgpu's GL backend):
//     table[ids[r], c] += grads[r, c]    for r < rows, c < dim,
// with repeated ids allowed. Each cell holds the bits of an f32 in an `atomic<u32>`; an
// addition is a compare-exchange loop that retries until no other invocation changed the
// cell between the load and the exchange, so every addition lands.

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
@group(0) @binding(1) var<storage, read_write> table: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;

// table[i] += value, atomically.
fn add_f32(i: u32, value: f32) {
    var old = atomicLoad(&table[i]);
    loop {
        let swap = atomicCompareExchangeWeak(&table[i], old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old_value;
    }
}

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
    add_f32(ids[r] * params.dim + c, grads[e]);
}
