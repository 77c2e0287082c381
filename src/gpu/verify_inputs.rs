//! Inputs and comparisons shared by the kernel checks of `vectrain verify`: deterministic
//! values, a random batch with repeated words, one training pass in the CPU's order, and
//! float comparisons.

use crate::batch::Batch;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::gpu::step::TrainState;
use crate::rng::{self, Stream};
use crate::sampling;

/// Deterministic test values from the crate's counter-based generator.
pub(super) struct Values {
    key: u32,
    next: u32,
}

impl Values {
    pub(super) fn new(seed: u32) -> Values {
        Values {
            key: rng::epoch_key(seed, 0xfeed),
            next: 0,
        }
    }

    fn bits(&mut self) -> u32 {
        self.next += 1;
        rng::draw(self.key, Stream::Init, self.next, 0)
    }

    pub(super) fn below(&mut self, n: u32) -> u32 {
        self.bits() % n
    }

    /// A multiple of 1/1024 in [-1, 1): sums of a few thousand are exact in f32.
    pub(super) fn fraction(&mut self) -> f32 {
        (self.below(2048) as f32 - 1024.0) / 1024.0
    }

    /// Uniform in [-scale, scale).
    pub(super) fn signed(&mut self, scale: f32) -> f32 {
        (rng::unit_f32(self.bits()) * 2.0 - 1.0) * scale
    }
}

pub(super) fn max_error(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// About 300 tokens of `vocab` words in sentences of 1 to 14, small ids favoured so that
/// words repeat within windows, subsampled as training does; and the words' counts.
pub(super) fn random_batch(values: &mut Values, vocab: u32, key: u32) -> (Batch, Vec<u64>) {
    let mut counts = vec![0u64; vocab as usize];
    let mut sentences = Vec::new();
    let mut tokens = 0;
    while tokens < 300 {
        let len = 1 + values.below(14) as usize;
        // The smaller of two draws favours small ids, so words repeat within windows.
        let sentence: Vec<u32> = (0..len)
            .map(|_| values.below(vocab).min(values.below(vocab)))
            .collect();
        sentence.iter().for_each(|&w| counts[w as usize] += 1);
        tokens += len;
        sentences.push(sentence);
    }
    let keep = sampling::keep_probabilities(&counts, 1e-2);
    let mut batch = Batch::new();
    let mut position = 0;
    for sentence in &sentences {
        batch.push_sentence(sentence, position, &keep, key);
        position += sentence.len() as u32;
    }
    (batch, counts)
}

/// Whether every value of `a` is within `(rel, abs)` of `b`'s.
pub(super) fn close(a: &[f32], b: &[f32], (rel, abs): (f32, f32)) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= (rel * x.abs().max(y.abs())).max(abs))
}

/// Both tables, (input, output), after one pass of `state` over `batch` with one centre in
/// flight: the CPU's order of updates, which the step checks compare against.
pub(super) fn train_in_cpu_order(
    ctx: &GpuContext,
    state: &TrainState,
    batch: &Batch,
    alpha: f32,
    key: u32,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let mut device = state.batch_buffers(ctx, batch.len())?;
    state.upload(ctx, &mut device, batch)?;
    state.run(ctx, &device, &state.split(batch.len(), 1, alpha, key))?;
    state.read_tables(ctx)
}

/// Whether both GPU tables are within `tolerance` of the CPU's, and the largest difference.
pub(super) fn compare_tables(
    (gpu_input, gpu_output): &(Vec<f32>, Vec<f32>),
    (cpu_input, cpu_output): (&[f32], &[f32]),
    tolerance: (f32, f32),
) -> (bool, f32) {
    let passed = close(gpu_input, cpu_input, tolerance) && close(gpu_output, cpu_output, tolerance);
    let error = max_error(gpu_input, cpu_input).max(max_error(gpu_output, cpu_output));
    (passed, error)
}
