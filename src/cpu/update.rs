//! The negative-sampling update: the maths every trainer (CPU reference, CPU Hogwild, GPU
//! kernels) follows.
//!
//! # Loss and gradient
//! For an input vector `x` (a context word's row of the input table, or for CBOW the mean of
//! the context rows) and output rows `o_0` (the centre word, label 1) and `o_1..o_K` (the
//! negatives, label 0), with `f_k = x · o_k` and `σ(f) = 1 / (1 + e^-f)`:
//!
//! ```text
//! L = -ln σ(f_0) - Σ_{k>=1} ln σ(-f_k)
//! ∂L/∂f_k = σ(f_k) - label_k
//! ```
//!
//! so a step of size `α` adds `g_k x` to `o_k` and `Σ_k g_k o_k` to `x`'s rows, with
//! `g_k = α (label_k - σ(f_k))`.
//!
//! # Order of reads and writes (the reference semantics)
//! Within one update, every row is read before any is written: all `f_k` use the rows as they
//! were when the update began, and the input gradient uses the old output rows. A negative
//! equal to the centre word is skipped (as word2vec.c and gensim do); a negative drawn twice
//! is applied twice. Updates are applied one after the other in batch order: for skip-gram one
//! update per (centre, context) pair, for CBOW one per centre.
//!
//! # Batch skip-gram (shared negatives)
//! One update per centre: the negatives are drawn once (slots `k`, as for CBOW) and shared by
//! every context word `j` of the window, which each predict the centre with their own input
//! row `x_j`. With `f_jk = x_j · o_k` and `g_jk = α (label_k - σ(f_jk))`, all from the rows as
//! they were when the update began, the update adds `Σ_j g_jk x_j` to `o_k` and `Σ_k g_jk o_k`
//! to `x_j`'s row: two small matrix products. The loss and the example count are those of the
//! window's pairs, as for skip-gram.

use crate::batch::Batch;
use crate::config::Model;
use crate::cpu::tables::Rows;
use crate::rng::{self, Stream};
use crate::sampling::NegativeSampler;
use crate::training::{LossSum, UpdateShape};

/// Scratch memory of one thread, allocated once.
pub struct Scratch {
    /// Batch skip-gram: the window's context rows, then their gradients.
    inputs: Vec<f32>,
    input_gradients: Vec<f32>,
    /// g_jk of batch skip-gram, row j.
    gs: Vec<f32>,
    input: Vec<f32>,
    row: Vec<f32>,
    outputs: Vec<f32>,
    gradient: Vec<f32>,
    delta: Vec<f32>,
    ids: Vec<u32>,
    context: Vec<u32>,
}

impl Scratch {
    /// Scratch for `shape`.
    pub fn new(shape: &UpdateShape) -> Scratch {
        let d = shape.dim;
        let window_rows = match shape.model {
            Model::BatchSkipGram => 2 * shape.window * d,
            Model::SkipGram | Model::Cbow => 0,
        };
        Scratch {
            inputs: vec![0.0; window_rows],
            input_gradients: vec![0.0; window_rows],
            gs: Vec::with_capacity(2 * shape.window * (shape.negative + 1)),
            input: vec![0.0; d],
            row: vec![0.0; d],
            outputs: vec![0.0; d * (shape.negative + 1)],
            gradient: vec![0.0; d],
            delta: vec![0.0; d],
            ids: Vec::with_capacity(shape.negative + 1),
            context: Vec::with_capacity(2 * shape.window),
        }
    }
}

/// The logistic function.
#[inline]
pub fn sigmoid(f: f32) -> f32 {
    1.0 / (1.0 + (-f).exp())
}

/// Dot product with eight accumulators, so that the compiler may use SIMD (a single
/// accumulator forces strict left-to-right order, which it must not reorder).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for lane in 0..8 {
            acc[lane] += x[lane] * y[lane];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// `y += a x`.
#[inline]
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// For score `f` of a positive (label 1) or negative (label 0) output: the step
/// `g = α (label - σ(f))` and the loss term `-ln σ(f)` or `-ln σ(-f)`.
#[inline]
fn score(f: f32, positive: bool, alpha: f32) -> (f32, f64) {
    // One exponential serves σ and the loss: with e = e^-f, σ(f) = 1 / (1 + e),
    // -ln σ(f) = ln(1 + e) and -ln σ(-f) = f + ln(1 + e).
    let e = (-f).exp();
    let label = if positive { 1.0 } else { 0.0 };
    let g = alpha * (label - 1.0 / (1.0 + e));
    // ln(1 + e) rather than ln_1p: glibc's logf is several times faster than log1pf, and the
    // absolute error (below 1e-7) does not matter to a reported loss.
    let softplus = if e.is_infinite() { -f } else { (1.0 + e).ln() };
    (g, f64::from(if positive { softplus } else { f + softplus }))
}

/// One update of `scratch.input` against outputs `scratch.ids` (first is the positive);
/// writes the output rows and leaves the input's gradient in `scratch.gradient`.
fn negative_step<O: Rows>(output: &mut O, alpha: f32, s: &mut Scratch) -> f64 {
    let d = s.input.len();
    for &id in &s.ids {
        output.prefetch(id);
    }
    for (k, &id) in s.ids.iter().enumerate() {
        output.read(id, &mut s.outputs[k * d..(k + 1) * d]);
    }
    s.gradient.fill(0.0);
    let mut loss = 0.0;
    for (k, &id) in s.ids.iter().enumerate() {
        let row = &s.outputs[k * d..(k + 1) * d];
        let (g, term) = score(dot(&s.input, row), k == 0, alpha);
        loss += term;
        axpy(g, row, &mut s.gradient);
        for (delta, x) in s.delta.iter_mut().zip(&s.input) {
            *delta = g * x;
        }
        output.add(id, &s.delta);
    }
    loss
}

/// The batch skip-gram update of the contexts `s.context` against outputs `s.ids` (first is
/// the positive): every read before any write (module docs).
fn shared_negatives_step<I: Rows, O: Rows>(
    input: &mut I,
    output: &mut O,
    alpha: f32,
    s: &mut Scratch,
) -> f64 {
    let d = s.input.len();
    let m = s.context.len();
    for &word in &s.context {
        input.prefetch(word);
    }
    for &id in &s.ids {
        output.prefetch(id);
    }
    for (j, &word) in s.context.iter().enumerate() {
        input.read(word, &mut s.inputs[j * d..(j + 1) * d]);
    }
    for (k, &id) in s.ids.iter().enumerate() {
        output.read(id, &mut s.outputs[k * d..(k + 1) * d]);
    }
    let mut loss = 0.0;
    s.gs.clear();
    for j in 0..m {
        let x = &s.inputs[j * d..(j + 1) * d];
        let gradient = &mut s.input_gradients[j * d..(j + 1) * d];
        gradient.fill(0.0);
        for k in 0..s.ids.len() {
            let row = &s.outputs[k * d..(k + 1) * d];
            let (g, term) = score(dot(x, row), k == 0, alpha);
            loss += term;
            axpy(g, row, gradient);
            s.gs.push(g);
        }
    }
    let outputs = s.ids.len();
    for (k, &id) in s.ids.iter().enumerate() {
        s.delta.fill(0.0);
        for j in 0..m {
            axpy(
                s.gs[j * outputs + k],
                &s.inputs[j * d..(j + 1) * d],
                &mut s.delta,
            );
        }
        output.add(id, &s.delta);
    }
    for (j, &word) in s.context.iter().enumerate() {
        input.add(word, &s.input_gradients[j * d..(j + 1) * d]);
    }
    loss
}

/// Fills `s.ids` with the centre word and the negatives of `slot_base..slot_base + K`.
fn choose_outputs(
    s: &mut Scratch,
    sampler: &NegativeSampler,
    key: u32,
    centre: u32,
    position: u32,
    slot_base: u32,
    negative: usize,
) {
    s.ids.clear();
    s.ids.push(centre);
    for k in 0..negative as u32 {
        let word = sampler.draw(key, position, slot_base + k);
        if word != centre {
            s.ids.push(word);
        }
    }
}

/// Half-width of the window of the centre at `position`: `window - b` with `b` uniform in
/// `0..window` (word2vec.c's shrink), so 1..=window.
#[inline]
pub fn reach(key: u32, position: u32, window: usize) -> usize {
    window - (rng::draw(key, Stream::Window, position, 0) % window as u32) as usize
}

/// Trains on every centre of `batch` in order: the reference semantics (module docs).
///
/// Negative slots: skip-gram pair `(i, j)` uses slots `(j + window - i) * K + k`; CBOW and
/// batch skip-gram use slots `k`. `key` is the epoch key of [`rng::epoch_key`].
#[allow(clippy::too_many_arguments)]
pub fn train_batch<I: Rows, O: Rows>(
    shape: &UpdateShape,
    input: &mut I,
    output: &mut O,
    sampler: &NegativeSampler,
    batch: &Batch,
    key: u32,
    alpha: f32,
    s: &mut Scratch,
) -> LossSum {
    let mut sum = LossSum::default();
    for i in 0..batch.len() {
        let centre = batch.words[i];
        let position = batch.positions[i];
        let reach = reach(key, position, shape.window);
        match shape.model {
            Model::SkipGram => {
                for j in batch.context(i, reach) {
                    input.prefetch(batch.words[j]);
                    let slot_base = ((j + shape.window - i) * shape.negative) as u32;
                    choose_outputs(s, sampler, key, centre, position, slot_base, shape.negative);
                    let context = batch.words[j];
                    input.read(context, &mut s.input);
                    sum.loss += negative_step(output, alpha, s);
                    sum.examples += 1;
                    input.add(context, &s.gradient);
                }
            }
            Model::Cbow => {
                s.context.clear();
                s.context
                    .extend(batch.context(i, reach).map(|j| batch.words[j]));
                if s.context.is_empty() {
                    continue;
                }
                for &word in &s.context {
                    input.prefetch(word);
                }
                s.input.fill(0.0);
                for &word in &s.context {
                    input.read(word, &mut s.row);
                    axpy(1.0, &s.row, &mut s.input);
                }
                let inverse = 1.0 / s.context.len() as f32;
                s.input.iter_mut().for_each(|x| *x *= inverse);
                choose_outputs(s, sampler, key, centre, position, 0, shape.negative);
                sum.loss += negative_step(output, alpha, s);
                sum.examples += 1;
                for &word in &s.context {
                    input.add(word, &s.gradient);
                }
            }
            Model::BatchSkipGram => {
                s.context.clear();
                s.context
                    .extend(batch.context(i, reach).map(|j| batch.words[j]));
                if s.context.is_empty() {
                    continue;
                }
                choose_outputs(s, sampler, key, centre, position, 0, shape.negative);
                sum.loss += shared_negatives_step(input, output, alpha, s);
                sum.examples += s.context.len() as u64;
            }
        }
    }
    sum
}
