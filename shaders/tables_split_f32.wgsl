// The <tables> block of negative_sampling_v2.wgsl for tables larger than one storage binding,
// on adapters with float atomics (the twin of tables_split.wgsl): each table is split across
// up to 8 storage buffers of whole rows. The host puts this file in place of that block.
// A table's cell i lives in part i / PART at i % PART, where PART, the cells of a part (a
// whole number of rows times DIM, the same for both tables), is an override the host sets. Part 0
// keeps the unsplit bindings (6 and 7); parts the table does not need are bound to small
// placeholder buffers and never reached. The four functions of the block are the same as in
// the unsplit tables, so the kernel's code is unchanged.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

@group(0) @binding(6) var<storage, read_write> input: array<atomic<f32>>;
@group(0) @binding(10) var<storage, read_write> input_1: array<atomic<f32>>;
@group(0) @binding(11) var<storage, read_write> input_2: array<atomic<f32>>;
@group(0) @binding(12) var<storage, read_write> input_3: array<atomic<f32>>;
@group(0) @binding(13) var<storage, read_write> input_4: array<atomic<f32>>;
@group(0) @binding(14) var<storage, read_write> input_5: array<atomic<f32>>;
@group(0) @binding(15) var<storage, read_write> input_6: array<atomic<f32>>;
@group(0) @binding(16) var<storage, read_write> input_7: array<atomic<f32>>;
@group(0) @binding(7) var<storage, read_write> output: array<atomic<f32>>;
@group(0) @binding(17) var<storage, read_write> output_1: array<atomic<f32>>;
@group(0) @binding(18) var<storage, read_write> output_2: array<atomic<f32>>;
@group(0) @binding(19) var<storage, read_write> output_3: array<atomic<f32>>;
@group(0) @binding(20) var<storage, read_write> output_4: array<atomic<f32>>;
@group(0) @binding(21) var<storage, read_write> output_5: array<atomic<f32>>;
@group(0) @binding(22) var<storage, read_write> output_6: array<atomic<f32>>;
@group(0) @binding(23) var<storage, read_write> output_7: array<atomic<f32>>;

// Cells in each part of either table.
override PART: u32 = 1u;

fn load_input(i: u32) -> f32 {
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

fn load_output(i: u32) -> f32 {
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

fn add_input(i: u32, value: f32) {
    let at = i % PART;
    switch i / PART {
        case 0u: { atomicAdd(&input[at], value); }
        case 1u: { atomicAdd(&input_1[at], value); }
        case 2u: { atomicAdd(&input_2[at], value); }
        case 3u: { atomicAdd(&input_3[at], value); }
        case 4u: { atomicAdd(&input_4[at], value); }
        case 5u: { atomicAdd(&input_5[at], value); }
        case 6u: { atomicAdd(&input_6[at], value); }
        default: { atomicAdd(&input_7[at], value); }
    }
}

fn add_output(i: u32, value: f32) {
    let at = i % PART;
    switch i / PART {
        case 0u: { atomicAdd(&output[at], value); }
        case 1u: { atomicAdd(&output_1[at], value); }
        case 2u: { atomicAdd(&output_2[at], value); }
        case 3u: { atomicAdd(&output_3[at], value); }
        case 4u: { atomicAdd(&output_4[at], value); }
        case 5u: { atomicAdd(&output_5[at], value); }
        case 6u: { atomicAdd(&output_6[at], value); }
        default: { atomicAdd(&output_7[at], value); }
    }
}
