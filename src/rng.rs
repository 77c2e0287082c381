//! The counter-based random numbers shared by the CPU and the GPU.
//!
//! Every random choice of training (subsampling, window shrink, negatives, initial vectors)
//! is a pure function of `(seed, epoch, stream, position, slot)`, so any thread or any GPU
//! invocation can draw it without shared state, and the CPU reference can reproduce a GPU
//! kernel's draws exactly. The WGSL kernels carry the same functions (`pcg`, `draw`); the
//! test `tests/rng_twins.rs` checks the two agree.

/// One round of the PCG hash (Jarzynski and Olano, "Hash Functions for GPU Rendering", 2020):
/// a 32-bit permutation with good avalanche, cheap on GPUs without 64-bit integers.
#[inline]
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// What a draw is for; distinct streams give independent numbers for the same position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Stream {
    /// Frequent-word subsampling, slot 0.
    Subsample = 1,
    /// Window shrink, slot 0.
    Window = 2,
    /// Negative samples: index draw at slot `2n`, alias coin at `2n + 1`.
    Negative = 3,
    /// Initial input vectors: position = row, slot = column.
    Init = 4,
}

/// The key of one epoch's draws.
#[inline]
pub fn epoch_key(seed: u32, epoch: u32) -> u32 {
    pcg(seed ^ pcg(epoch))
}

/// A 32-bit random number for `(key, stream, position, slot)`.
#[inline]
pub fn draw(key: u32, stream: Stream, position: u32, slot: u32) -> u32 {
    pcg(pcg(pcg(key ^ stream as u32) ^ position) ^ slot)
}

/// The top 24 bits of `bits` as a float in [0, 1): exact in f32, so CPU and GPU agree.
#[inline]
pub fn unit_f32(bits: u32) -> f32 {
    (bits >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// `n` values uniform in [-0.5, 0.5) from `seed`: reproducible data for examples, tests and
/// benchmarks, from the same generator as training.
pub fn uniform_values(n: usize, seed: u32) -> Vec<f32> {
    let key = epoch_key(seed, 0);
    (0..n)
        .map(|i| unit_f32(draw(key, Stream::Init, i as u32, 0)) - 0.5)
        .collect()
}
