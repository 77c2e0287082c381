// The tables of the training kernels as f32 bits in `atomic<u32>`, added to by
// compare-exchange loops: valid everywhere. The host puts this file in place of the <tables>
// block of negative_sampling.wgsl and negative_sampling_v2.wgsl unless the adapter has float
// atomics (tables_f32.wgsl) or a table is split across bindings (tables_split.wgsl).
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.
@group(0) @binding(6) var<storage, read_write> input: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> output: array<atomic<u32>>;

fn load_input(i: u32) -> f32 {
    return bitcast<f32>(atomicLoad(&input[i]));
}

fn load_output(i: u32) -> f32 {
    return bitcast<f32>(atomicLoad(&output[i]));
}

fn add_input(i: u32, value: f32) {
    var old = atomicLoad(&input[i]);
    loop {
        let swap = atomicCompareExchangeWeak(&input[i], old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old_value;
    }
}

fn add_output(i: u32, value: f32) {
    var old = atomicLoad(&output[i]);
    loop {
        let swap = atomicCompareExchangeWeak(&output[i], old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old_value;
    }
}
