//! The negative-sampling update with subwords (fastText): the maths of `--subwords`, which the
//! CPU trainers run and the GPU kernel is checked against.
//!
//! Without subwords an update's input vector `x` is one row of the input table. With subwords
//! a word stands for a list of rows, its own and its character n-grams'
//! ([`SubwordIndex::word_rows`]), and:
//! - skip-gram, pair (centre `i`, context `j`): `x` is the mean of word `j`'s rows;
//! - CBOW, centre `i`: `x` is the mean of the rows of all the context words, every row of
//!   every word counted once per occurrence (fastText averages the concatenated lists, so a
//!   word with more n-grams weighs more).
//!
//! The output side is unchanged ([`crate::cpu::update`]). The input gradient `Σ_k g_k o_k`
//! is added in full to every row of the list, once per occurrence, as fastText does for its
//! unsupervised models (it divides by the list's length only for supervised ones).
//!
//! # Order of operations (what a GPU twin must follow to match bit for bit)
//! `x` starts at zero; the rows are added one at a time in list order (for CBOW: context words
//! in ascending position, each word's own row then its n-grams); then `x` is multiplied by
//! `1 / n` computed in f32, `n` the number of rows. After the output step the gradient is
//! added to the rows in the same order. Pairs and centres, negatives and their slots are
//! those of [`crate::cpu::update::train_batch`].

use crate::batch::Batch;
use crate::config::Model;
use crate::cpu::tables::Rows;
use crate::cpu::update::{Scratch, axpy, choose_outputs, negative_step, reach};
use crate::sampling::NegativeSampler;
use crate::subwords::SubwordIndex;
use crate::training::{LossSum, UpdateShape};

/// `s.input` = the mean of `rows` of `input`.
#[inline(always)]
fn mean_of_rows<I: Rows>(input: &I, rows: &[u32], s: &mut Scratch) {
    s.input.fill(0.0);
    for &row in rows {
        input.read(row, &mut s.row);
        axpy(1.0, &s.row, &mut s.input);
    }
    let inverse = 1.0 / rows.len() as f32;
    s.input.iter_mut().for_each(|x| *x *= inverse);
}

/// Trains on every centre of `batch` in order with subword inputs: the reference semantics
/// of `--subwords` (module docs). `input` has `index.table_rows()` rows. Batch skip-gram has
/// no subword form; the settings check refuses it before training.
#[allow(clippy::too_many_arguments)]
pub fn train_batch_subwords<I: Rows, O: Rows>(
    shape: &UpdateShape,
    index: &SubwordIndex,
    input: &mut I,
    output: &mut O,
    sampler: &NegativeSampler,
    batch: &Batch,
    key: u32,
    alpha: f32,
    s: &mut Scratch,
    rows: &mut Vec<u32>,
) -> LossSum {
    let mut sum = LossSum::default();
    for i in 0..batch.len() {
        let reach = reach(key, batch.positions[i], shape.window);
        let (centre, position) = (batch.words[i], batch.positions[i]);
        match shape.model {
            Model::SkipGram => {
                for j in batch.context(i, reach) {
                    let slot_base = ((j + shape.window - i) * shape.negative) as u32;
                    choose_outputs(
                        &mut s.ids,
                        sampler,
                        key,
                        centre,
                        position,
                        slot_base,
                        shape.negative,
                    );
                    let word_rows = index.word_rows(batch.words[j] as usize);
                    mean_of_rows(input, word_rows, s);
                    sum.loss += negative_step(output, alpha, s);
                    sum.examples += 1;
                    for &row in word_rows {
                        input.add(row, &s.gradient);
                    }
                }
            }
            Model::Cbow | Model::BatchSkipGram => {
                rows.clear();
                for j in batch.context(i, reach) {
                    rows.extend_from_slice(index.word_rows(batch.words[j] as usize));
                }
                if rows.is_empty() {
                    continue;
                }
                choose_outputs(
                    &mut s.ids,
                    sampler,
                    key,
                    centre,
                    position,
                    0,
                    shape.negative,
                );
                mean_of_rows(input, rows, s);
                sum.loss += negative_step(output, alpha, s);
                sum.examples += 1;
                for &row in rows.iter() {
                    input.add(row, &s.gradient);
                }
            }
        }
    }
    sum
}
