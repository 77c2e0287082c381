// The <tables> block of negative_sampling_v2.wgsl for tables larger than one storage binding
// (max_storage_buffer_binding_size): each table is split across up to 8 storage buffers of
// whole rows, added to by compare-exchange loops (valid everywhere; tables_split_f32.wgsl is
// the float-atomic twin). The host puts this file in place of that kernel's <tables> block.
// A table's cell i lives in part i / PART at i % PART, where PART, the cells of a part (a
// whole number of rows times DIM, the same for both tables), is an override the host sets. Part 0
// keeps the unsplit bindings (6 and 7); parts the table does not need are bound to small
// placeholder buffers and never reached. The four functions of the block are the same as in
// the unsplit tables, so the kernel's code is unchanged.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

@group(0) @binding(6) var<storage, read_write> input: array<atomic<u32>>;
@group(0) @binding(10) var<storage, read_write> input_1: array<atomic<u32>>;
@group(0) @binding(11) var<storage, read_write> input_2: array<atomic<u32>>;
@group(0) @binding(12) var<storage, read_write> input_3: array<atomic<u32>>;
@group(0) @binding(13) var<storage, read_write> input_4: array<atomic<u32>>;
@group(0) @binding(14) var<storage, read_write> input_5: array<atomic<u32>>;
@group(0) @binding(15) var<storage, read_write> input_6: array<atomic<u32>>;
@group(0) @binding(16) var<storage, read_write> input_7: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> output: array<atomic<u32>>;
@group(0) @binding(17) var<storage, read_write> output_1: array<atomic<u32>>;
@group(0) @binding(18) var<storage, read_write> output_2: array<atomic<u32>>;
@group(0) @binding(19) var<storage, read_write> output_3: array<atomic<u32>>;
@group(0) @binding(20) var<storage, read_write> output_4: array<atomic<u32>>;
@group(0) @binding(21) var<storage, read_write> output_5: array<atomic<u32>>;
@group(0) @binding(22) var<storage, read_write> output_6: array<atomic<u32>>;
@group(0) @binding(23) var<storage, read_write> output_7: array<atomic<u32>>;

// Cells in each part of either table.
override PART: u32 = 1u;

// The outcome of one compare-exchange, whichever part it was on.
struct Swap {
    old: u32,
    exchanged: bool,
}

fn input_bits(i: u32) -> u32 {
    let at = i % PART;
    switch i / PART {
        case 0u: { return atomicLoad(&input[at]); }
        case 1u: { return atomicLoad(&input_1[at]); }
        case 2u: { return atomicLoad(&input_2[at]); }
        case 3u: { return atomicLoad(&input_3[at]); }
        case 4u: { return atomicLoad(&input_4[at]); }
        case 5u: { return atomicLoad(&input_5[at]); }
        case 6u: { return atomicLoad(&input_6[at]); }
        default: { return atomicLoad(&input_7[at]); }
    }
}

fn output_bits(i: u32) -> u32 {
    let at = i % PART;
    switch i / PART {
        case 0u: { return atomicLoad(&output[at]); }
        case 1u: { return atomicLoad(&output_1[at]); }
        case 2u: { return atomicLoad(&output_2[at]); }
        case 3u: { return atomicLoad(&output_3[at]); }
        case 4u: { return atomicLoad(&output_4[at]); }
        case 5u: { return atomicLoad(&output_5[at]); }
        case 6u: { return atomicLoad(&output_6[at]); }
        default: { return atomicLoad(&output_7[at]); }
    }
}

fn swap_input(i: u32, old: u32, value: u32) -> Swap {
    let at = i % PART;
    switch i / PART {
        case 0u: { let s = atomicCompareExchangeWeak(&input[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 1u: { let s = atomicCompareExchangeWeak(&input_1[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 2u: { let s = atomicCompareExchangeWeak(&input_2[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 3u: { let s = atomicCompareExchangeWeak(&input_3[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 4u: { let s = atomicCompareExchangeWeak(&input_4[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 5u: { let s = atomicCompareExchangeWeak(&input_5[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 6u: { let s = atomicCompareExchangeWeak(&input_6[at], old, value); return Swap(s.old_value, s.exchanged); }
        default: { let s = atomicCompareExchangeWeak(&input_7[at], old, value); return Swap(s.old_value, s.exchanged); }
    }
}

fn swap_output(i: u32, old: u32, value: u32) -> Swap {
    let at = i % PART;
    switch i / PART {
        case 0u: { let s = atomicCompareExchangeWeak(&output[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 1u: { let s = atomicCompareExchangeWeak(&output_1[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 2u: { let s = atomicCompareExchangeWeak(&output_2[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 3u: { let s = atomicCompareExchangeWeak(&output_3[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 4u: { let s = atomicCompareExchangeWeak(&output_4[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 5u: { let s = atomicCompareExchangeWeak(&output_5[at], old, value); return Swap(s.old_value, s.exchanged); }
        case 6u: { let s = atomicCompareExchangeWeak(&output_6[at], old, value); return Swap(s.old_value, s.exchanged); }
        default: { let s = atomicCompareExchangeWeak(&output_7[at], old, value); return Swap(s.old_value, s.exchanged); }
    }
}

fn load_input(i: u32) -> f32 {
    return bitcast<f32>(input_bits(i));
}

fn load_output(i: u32) -> f32 {
    return bitcast<f32>(output_bits(i));
}

fn add_input(i: u32, value: f32) {
    var old = input_bits(i);
    loop {
        let swap = swap_input(i, old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old;
    }
}

fn add_output(i: u32, value: f32) {
    var old = output_bits(i);
    loop {
        let swap = swap_output(i, old, bitcast<u32>(bitcast<f32>(old) + value));
        if swap.exchanged {
            break;
        }
        old = swap.old;
    }
}
