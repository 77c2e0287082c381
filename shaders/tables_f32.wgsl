// The tables of negative_sampling.wgsl on adapters with float atomics (wgpu's
// SHADER_FLOAT32_ATOMIC): the host puts this file in place of that kernel's <tables> block.
// `atomicAdd` on `atomic<f32>` needs no retry loop: where its result is unused, GPUs issue it
// as a fire-and-forget reduction instead of a read, compare and write per attempt, which
// stalls when many workgroups add to the rows of frequent words.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.
@group(0) @binding(6) var<storage, read_write> input: array<atomic<f32>>;
@group(0) @binding(7) var<storage, read_write> output: array<atomic<f32>>;

fn load_input(i: u32) -> f32 {
    return atomicLoad(&input[i]);
}

fn load_output(i: u32) -> f32 {
    return atomicLoad(&output[i]);
}

fn add_input(i: u32, value: f32) {
    atomicAdd(&input[i], value);
}

fn add_output(i: u32, value: f32) {
    atomicAdd(&output[i], value);
}
