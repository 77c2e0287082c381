// The random draws of src/rng.rs (window shrink, alias-table negatives) and the sigmoids, the
// same in every training kernel: the host puts this file in place of the <draws> block of
// negative_sampling.wgsl and negative_sampling_v2.wgsl. It declares the alias table it reads.
// Valid WGSL on its own (declarations only), so naga checks it like every shader file.

const STREAM_WINDOW: u32 = 2u;
const STREAM_NEGATIVE: u32 = 3u;

@group(0) @binding(4) var<storage, read> thresholds: array<f32>;
@group(0) @binding(5) var<storage, read> aliases: array<u32>;

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn draw(key: u32, stream: u32, position: u32, slot: u32) -> u32 {
    return pcg(pcg(pcg(key ^ stream) ^ position) ^ slot);
}

fn unit(bits: u32) -> f32 {
    return f32(bits >> 8u) * (1.0 / 16777216.0);
}

// Half-width of the window at `position`: 1..=window (cpu::update::reach).
fn reach(key: u32, position: u32, window: u32) -> u32 {
    return window - draw(key, STREAM_WINDOW, position, 0u) % window;
}

// Negative of `slot` at `position` from the alias table (NegativeSampler::draw).
fn negative(key: u32, position: u32, slot: u32) -> u32 {
    let column = draw(key, STREAM_NEGATIVE, position, 2u * slot) % arrayLength(&thresholds);
    let coin = unit(draw(key, STREAM_NEGATIVE, position, 2u * slot + 1u));
    if coin < thresholds[column] {
        return column;
    }
    return aliases[column];
}

fn sigmoid(f: f32) -> f32 {
    return 1.0 / (1.0 + exp(-f));
}

// -ln sigmoid(f), stable for large |f|.
fn neg_log_sigmoid(f: f32) -> f32 {
    if f > 0.0 {
        return log(1.0 + exp(-f));
    }
    return -f + log(1.0 + exp(f));
}
