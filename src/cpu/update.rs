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
//! # Hierarchical softmax
//! With `--hs` the outputs of an update are (also) the inner nodes of the centre word's path
//! in the Huffman tree ([`crate::huffman`]), node `n` with label `1 - turn_n`: the same loss,
//! gradient and order with those rows and labels. Path nodes come first, then the centre and
//! its negatives, as word2vec.c adds both to one input gradient. The rows of a path are
//! distinct, and apart from the words' rows, so reading them all first changes nothing
//! against word2vec.c's node-by-node loop.
//!
//! # Batch skip-gram (shared negatives)
//! One update per centre: the negatives are drawn once (slots `k`, as for CBOW) and shared by
//! every context word `j` of the window, which each predict the centre with their own input
//! row `x_j`. With `f_jk = x_j · o_k` and `g_jk = α (label_k - σ(f_jk))`, all from the rows as
//! they were when the update began, the update adds `Σ_j g_jk x_j` to `o_k` and `Σ_k g_jk o_k`
//! to `x_j`'s row: two small matrix products. The loss and the example count are those of the
//! window's pairs, as for skip-gram.
//!
//! # Speed
//! The code below is the reference, and also what runs: [`train_batch`] runs it compiled for
//! AVX2 where the processor has it (same operations, same bits), and the shared tables move
//! rows sixteen bytes at a time ([`crate::cpu::simd`] says how, and why that is sound). Each
//! update's rows are prefetched while the update before it trains. The module
//! `cpu::fast_paths` checks every combination against the plain portable build, bit for bit.

use crate::batch::Batch;
use crate::config::Model;
use crate::cpu::tables::Rows;
use crate::cpu::targets::{Targets, choose_outputs};
use crate::rng::{self, Stream};
use crate::sampling::NegativeSampler;
use crate::training::{LossSum, Objective, UpdateShape};

/// Scratch memory of one thread, allocated once.
pub struct Scratch {
    /// Batch skip-gram: the window's context rows, then their gradients.
    inputs: Vec<f32>,
    input_gradients: Vec<f32>,
    /// g_jk of batch skip-gram, row j.
    gs: Vec<f32>,
    pub(super) input: Vec<f32>,
    pub(super) row: Vec<f32>,
    pub(super) outputs: Vec<f32>,
    pub(super) gradient: Vec<f32>,
    pub(super) delta: Vec<f32>,
    pub(super) ids: Targets,
    pub(super) context: Vec<u32>,
    /// The next update's `ids` and `context`, chosen ahead.
    pub(super) next_ids: Targets,
    next_context: Vec<u32>,
}

impl Scratch {
    /// Scratch for `shape`; an update with more outputs (a long Huffman path) grows it.
    pub fn new(shape: &UpdateShape) -> Scratch {
        let d = shape.dim;
        let outputs = shape.negative + 1;
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
            outputs: vec![0.0; d * outputs],
            gradient: vec![0.0; d],
            delta: vec![0.0; d],
            ids: Targets::with_capacity(outputs),
            context: Vec::with_capacity(2 * shape.window),
            next_ids: Targets::with_capacity(outputs),
            next_context: Vec::with_capacity(2 * shape.window),
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
#[inline(always)]
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
#[inline(always)]
pub(super) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// For score `f` of a positive (label 1) or negative (label 0) output: the step
/// `g = α (label - σ(f))`, with its loss term added to `loss`.
#[inline(always)]
fn score(f: f32, positive: bool, alpha: f32, loss: &mut UpdateLoss) -> f32 {
    // One exponential serves σ and the loss: with e = e^-f, σ(f) = 1 / (1 + e).
    let e = (-f).exp();
    loss.add(f, e, positive);
    let label = if positive { 1.0 } else { 0.0 };
    alpha * (label - 1.0 / (1.0 + e))
}

/// The loss `L` of one update (module docs), from each output's score `f` and `e = e^-f`:
/// `-ln σ(f) = ln(1 + e)` and `-ln σ(-f) = f + ln(1 + e)`. The logarithms are taken once per
/// update, of the product of the `(1 + e)` in f64, instead of once per output: a logarithm
/// costs as much as the rest of an output's scoring.
struct UpdateLoss {
    /// The `f` of the negatives, and `-f` where `e` overflowed (there `ln(1 + e) = -f` to
    /// f32 precision), plus the logarithms of products flushed before they could overflow.
    linear: f64,
    /// The product of the other `(1 + e)`.
    product: f64,
}

impl UpdateLoss {
    fn new() -> UpdateLoss {
        UpdateLoss {
            linear: 0.0,
            product: 1.0,
        }
    }

    #[inline(always)]
    fn add(&mut self, f: f32, e: f32, positive: bool) {
        if !positive {
            self.linear += f64::from(f);
        }
        if e.is_infinite() {
            self.linear -= f64::from(f);
        } else {
            // A factor is below 2^128 (e is a finite f32), and the product is flushed past
            // 1e250, so it never overflows.
            self.product *= 1.0 + f64::from(e);
            if self.product > 1e250 {
                self.linear += self.product.ln();
                self.product = 1.0;
            }
        }
    }

    #[inline(always)]
    fn total(&self) -> f64 {
        self.linear + self.product.ln()
    }
}

/// One update of `scratch.input` against outputs `scratch.ids`; writes the output rows and
/// leaves the input's gradient in `scratch.gradient`.
#[inline(always)]
pub(super) fn negative_step<O: Rows>(output: &mut O, alpha: f32, s: &mut Scratch) -> f64 {
    let d = s.input.len();
    if s.outputs.len() < s.ids.len() * d {
        // A Huffman path longer than the scratch was made for.
        s.outputs.resize(s.ids.len() * d, 0.0);
    }
    for (k, &id) in s.ids.iter().enumerate() {
        output.read(id, &mut s.outputs[k * d..(k + 1) * d]);
    }
    s.gradient.fill(0.0);
    let mut loss = UpdateLoss::new();
    for (k, &id) in s.ids.iter().enumerate() {
        let row = &s.outputs[k * d..(k + 1) * d];
        let g = score(dot(&s.input, row), s.ids.is_positive(k), alpha, &mut loss);
        axpy(g, row, &mut s.gradient);
        output.add_scaled(id, g, &s.input);
    }
    loss.total()
}

/// The batch skip-gram update of the contexts `s.context` against outputs `s.ids` (first is
/// the positive): every read before any write (module docs).
#[inline(always)]
fn shared_negatives_step<I: Rows, O: Rows>(
    input: &mut I,
    output: &mut O,
    alpha: f32,
    s: &mut Scratch,
) -> f64 {
    let d = s.input.len();
    let m = s.context.len();
    for (j, &word) in s.context.iter().enumerate() {
        input.read(word, &mut s.inputs[j * d..(j + 1) * d]);
    }
    for (k, &id) in s.ids.iter().enumerate() {
        output.read(id, &mut s.outputs[k * d..(k + 1) * d]);
    }
    let mut loss = UpdateLoss::new();
    s.gs.clear();
    for j in 0..m {
        let x = &s.inputs[j * d..(j + 1) * d];
        let gradient = &mut s.input_gradients[j * d..(j + 1) * d];
        gradient.fill(0.0);
        for k in 0..s.ids.len() {
            let row = &s.outputs[k * d..(k + 1) * d];
            let g = score(dot(x, row), k == 0, alpha, &mut loss);
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
    loss.total()
}

/// Half-width of the window of the centre at `position`: `window - b` with `b` uniform in
/// `0..window` (word2vec.c's shrink), so 1..=window.
#[inline]
pub fn reach(key: u32, position: u32, window: usize) -> usize {
    window - (rng::draw(key, Stream::Window, position, 0) % window as u32) as usize
}

/// Trains on every centre of `batch` in order with negative sampling: [`train_batch_with`]
/// of [`Objective::negative_sampling`].
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
    let objective = Objective::negative_sampling(sampler);
    train_batch_with(shape, input, output, &objective, batch, key, alpha, s)
}

/// Trains on every centre of `batch` in order: the reference semantics (module docs).
///
/// Negative slots: skip-gram pair `(i, j)` uses slots `(j + window - i) * K + k`; CBOW and
/// batch skip-gram use slots `k`. `key` is the epoch key of [`rng::epoch_key`].
///
/// On x86-64 processors with AVX2 the same code runs compiled for AVX2 (eight floats per
/// vector instead of four). The source fixes every operation and its order, and the compiler
/// neither reorders float arithmetic nor fuses it, so both builds give the same bits.
#[allow(clippy::too_many_arguments)]
pub fn train_batch_with<I: Rows, O: Rows>(
    shape: &UpdateShape,
    input: &mut I,
    output: &mut O,
    objective: &Objective<'_>,
    batch: &Batch,
    key: u32,
    alpha: f32,
    s: &mut Scratch,
) -> LossSum {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { train_batch_avx2(shape, input, output, objective, batch, key, alpha, s) };
    }
    train_batch_portable(shape, input, output, objective, batch, key, alpha, s)
}

/// [`train_batch_with`] compiled for AVX2.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn train_batch_avx2<I: Rows, O: Rows>(
    shape: &UpdateShape,
    input: &mut I,
    output: &mut O,
    objective: &Objective<'_>,
    batch: &Batch,
    key: u32,
    alpha: f32,
    s: &mut Scratch,
) -> LossSum {
    train_batch_portable(shape, input, output, objective, batch, key, alpha, s)
}

/// [`train_batch_with`] for any processor: the reference build of the same code.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn train_batch_portable<I: Rows, O: Rows>(
    shape: &UpdateShape,
    input: &mut I,
    output: &mut O,
    objective: &Objective<'_>,
    batch: &Batch,
    key: u32,
    alpha: f32,
    s: &mut Scratch,
) -> LossSum {
    // Each update's outputs (and for CBOW and batch skip-gram its context) are chosen, and
    // their rows prefetched, while the update before it trains: the rows are scattered in
    // memory, and one update of work hides most of their cache misses. Prefetching changes
    // no value, so the order of reads and writes is the reference's.
    let mut sum = LossSum::default();
    match shape.model {
        Model::SkipGram => {
            let mut pairs = (0..batch.len()).flat_map(|i| {
                let reach = reach(key, batch.positions[i], shape.window);
                batch.context(i, reach).map(move |j| (i, j))
            });
            let prepare = |(i, j): (usize, usize), ids: &mut Targets, input: &I, output: &O| {
                let slot_base = ((j + shape.window - i) * shape.negative) as u32;
                let (centre, position) = (batch.words[i], batch.positions[i]);
                choose_outputs(
                    ids,
                    objective,
                    key,
                    centre,
                    position,
                    slot_base,
                    shape.negative,
                );
                input.prefetch(batch.words[j]);
                ids.iter().for_each(|&id| output.prefetch(id));
            };
            let mut next = pairs.next();
            if let Some(pair) = next {
                prepare(pair, &mut s.next_ids, input, output);
            }
            while let Some((_, j)) = next {
                std::mem::swap(&mut s.ids, &mut s.next_ids);
                next = pairs.next();
                if let Some(pair) = next {
                    prepare(pair, &mut s.next_ids, input, output);
                }
                let context = batch.words[j];
                input.read(context, &mut s.input);
                sum.loss += negative_step(output, alpha, s);
                sum.examples += 1;
                input.add(context, &s.gradient);
                output.update_done();
            }
        }
        Model::Cbow | Model::BatchSkipGram => {
            // Centres with at least one context word, and their reach.
            let mut centres = (0..batch.len()).filter_map(|i| {
                let reach = reach(key, batch.positions[i], shape.window);
                batch.context(i, reach).next().map(|_| (i, reach))
            });
            let prepare = |(i, reach): (usize, usize),
                           ids: &mut Targets,
                           context: &mut Vec<u32>,
                           input: &I,
                           output: &O| {
                context.clear();
                context.extend(batch.context(i, reach).map(|j| batch.words[j]));
                let (centre, position) = (batch.words[i], batch.positions[i]);
                choose_outputs(ids, objective, key, centre, position, 0, shape.negative);
                context.iter().for_each(|&word| input.prefetch(word));
                ids.iter().for_each(|&id| output.prefetch(id));
            };
            let mut next = centres.next();
            if let Some(centre) = next {
                prepare(centre, &mut s.next_ids, &mut s.next_context, input, output);
            }
            while next.is_some() {
                std::mem::swap(&mut s.ids, &mut s.next_ids);
                std::mem::swap(&mut s.context, &mut s.next_context);
                next = centres.next();
                if let Some(centre) = next {
                    prepare(centre, &mut s.next_ids, &mut s.next_context, input, output);
                }
                if shape.model == Model::Cbow {
                    s.input.fill(0.0);
                    for &word in &s.context {
                        input.read(word, &mut s.row);
                        axpy(1.0, &s.row, &mut s.input);
                    }
                    let inverse = 1.0 / s.context.len() as f32;
                    s.input.iter_mut().for_each(|x| *x *= inverse);
                    sum.loss += negative_step(output, alpha, s);
                    sum.examples += 1;
                    for &word in &s.context {
                        input.add(word, &s.gradient);
                    }
                    output.update_done();
                } else {
                    sum.loss += shared_negatives_step(input, output, alpha, s);
                    sum.examples += s.context.len() as u64;
                }
            }
        }
    }
    sum
}
