//! The update with subwords (fastText): the maths of `--subwords`, which the CPU trainers run
//! and the GPU kernel is checked against.
//!
//! Without subwords an update's input vector `x` is one row of the input table. With subwords
//! a word stands for a list of rows, its own and its character n-grams'
//! ([`SubwordIndex::word_rows`]), and:
//! - skip-gram, pair (centre `i`, context `j`): `x` is the mean of word `j`'s rows;
//! - CBOW, centre `i`: `x` is the mean of the rows of all the context words, every row of
//!   every word counted once per occurrence (fastText averages the concatenated lists, so a
//!   word with more n-grams weighs more).
//!
//! The output side is unchanged ([`crate::cpu::update`]): negative sampling, or with `--hs`
//! the inner nodes of the centre's Huffman path (fastText's `-loss hs`; CPU only), or both. The input gradient `Σ_k g_k o_k`
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
use crate::cpu::targets::{Targets, choose_outputs};
use crate::cpu::update::{Scratch, negative_step, reach};
use crate::subwords::SubwordIndex;
use crate::training::{LossSum, Objective, UpdateShape};

/// `s.input` = the mean of `rows` of `input`.
#[inline(always)]
fn mean_of_rows<I: Rows>(input: &I, rows: &[u32], s: &mut Scratch) {
    input.sum(rows, &mut s.input);
    let inverse = 1.0 / rows.len() as f32;
    s.input.iter_mut().for_each(|x| *x *= inverse);
}

/// What one call of [`train_batch_subwords`] trains: the batch, with everything about it
/// that the tables do not hold.
#[derive(Clone, Copy)]
pub struct SubwordBatch<'a> {
    /// The shape of each update (batch skip-gram has no subword form: the settings check
    /// refuses it before training).
    pub shape: &'a UpdateShape,
    /// Each word's input rows.
    pub index: &'a SubwordIndex,
    /// What the outputs are: negative sampling, a Huffman tree (`--hs`, as fastText's `-loss
    /// hs`), or both.
    pub objective: Objective<'a>,
    /// The centres, in order.
    pub batch: &'a Batch,
    /// The epoch key of the random draws.
    pub key: u32,
    /// The learning rate.
    pub alpha: f32,
}

/// Trains on every centre of `work.batch` in order with subword inputs: the reference
/// semantics of `--subwords` (module docs). `input` has `index.table_rows()` rows; `rows` is
/// scratch space for CBOW's list of context rows.
pub fn train_batch_subwords<I: Rows, O: Rows>(
    work: &SubwordBatch<'_>,
    input: &mut I,
    output: &mut O,
    s: &mut Scratch,
    rows: &mut Vec<u32>,
) -> LossSum {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { subwords_avx2(work, input, output, s, rows) };
    }
    subwords_portable(work, input, output, s, rows)
}

/// [`train_batch_subwords`] compiled for AVX2 (the same order of operations: Rust never
/// fuses or reorders float arithmetic, so the results are the portable build's).
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn subwords_avx2<I: Rows, O: Rows>(
    work: &SubwordBatch<'_>,
    input: &mut I,
    output: &mut O,
    s: &mut Scratch,
    rows: &mut Vec<u32>,
) -> LossSum {
    subwords_portable(work, input, output, s, rows)
}

/// [`train_batch_subwords`] for any processor.
#[inline(always)]
fn subwords_portable<I: Rows, O: Rows>(
    work: &SubwordBatch<'_>,
    input: &mut I,
    output: &mut O,
    s: &mut Scratch,
    rows: &mut Vec<u32>,
) -> LossSum {
    let SubwordBatch {
        shape,
        index,
        objective,
        batch,
        key,
        alpha,
    } = *work;
    // Each update's rows (a word's own and its n-grams', scattered over a table of millions
    // of rows) and output rows are prefetched while the update before it trains, into the
    // second-level cache (the first holds the rows in use): their cache misses would be most
    // of an update's time. Prefetching changes no value, so the order of reads and writes is
    // the one the module docs give.
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
                    &objective,
                    key,
                    centre,
                    position,
                    slot_base,
                    shape.negative,
                );
                let word_rows = index.word_rows(batch.words[j] as usize);
                word_rows.iter().for_each(|&row| input.prefetch_later(row));
                ids.iter().for_each(|&id| output.prefetch_later(id));
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
                let word_rows = index.word_rows(batch.words[j] as usize);
                mean_of_rows(input, word_rows, s);
                sum.loss += negative_step(output, alpha, s);
                sum.examples += 1;
                input.add_to_all(word_rows, &s.gradient);
                output.update_done();
            }
        }
        Model::Cbow | Model::BatchSkipGram => {
            // Centres with at least one context word (every word has at least its own row).
            let mut centres = (0..batch.len()).filter_map(|i| {
                let reach = reach(key, batch.positions[i], shape.window);
                batch.context(i, reach).next().map(|_| (i, reach))
            });
            // The rows of a context word the update in progress also has in its context are
            // in cache when the next update reads them: only the others are prefetched.
            let in_context = |j: usize, (i, reach): (usize, usize)| {
                j != i && j.abs_diff(i) <= reach && batch.sentences[j] == batch.sentences[i]
            };
            let prepare = |next: (usize, usize),
                           now: Option<(usize, usize)>,
                           ids: &mut Targets,
                           list: &mut Vec<u32>,
                           input: &I,
                           output: &O| {
                let (i, reach) = next;
                list.clear();
                for j in batch.context(i, reach) {
                    let word_rows = index.word_rows(batch.words[j] as usize);
                    list.extend_from_slice(word_rows);
                    if !now.is_some_and(|now| in_context(j, now)) {
                        word_rows.iter().for_each(|&row| input.prefetch_later(row));
                    }
                }
                let (centre, position) = (batch.words[i], batch.positions[i]);
                choose_outputs(ids, &objective, key, centre, position, 0, shape.negative);
                ids.iter().for_each(|&id| output.prefetch_later(id));
            };
            let mut next_rows = Vec::with_capacity(rows.capacity());
            let mut next = centres.next();
            if let Some(centre) = next {
                prepare(centre, None, &mut s.next_ids, &mut next_rows, input, output);
            }
            while let Some(now) = next {
                std::mem::swap(&mut s.ids, &mut s.next_ids);
                std::mem::swap(rows, &mut next_rows);
                next = centres.next();
                if let Some(centre) = next {
                    prepare(
                        centre,
                        Some(now),
                        &mut s.next_ids,
                        &mut next_rows,
                        input,
                        output,
                    );
                }
                mean_of_rows(input, rows, s);
                sum.loss += negative_step(output, alpha, s);
                sum.examples += 1;
                input.add_to_all(rows, &s.gradient);
                output.update_done();
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::tables::PlainRows;
    use crate::cpu::update::train_batch_portable;
    use crate::rng::{self, Stream};
    use crate::sampling::NegativeSampler;
    use crate::subwords::SubwordSettings;

    const DIM: usize = 7;

    fn random_table(rows: usize, seed: u32) -> Vec<f32> {
        (0..rows * DIM)
            .map(|i| rng::unit_f32(rng::draw(seed, Stream::Init, i as u32, 0)) - 0.5)
            .collect()
    }

    /// Sentences of 1 to 9 random words of `words`, so that rows repeat within an update.
    fn random_batch(words: u32, sentences: usize, seed: u32) -> Batch {
        let mut batch = Batch::new();
        let keep = vec![1.0; words as usize];
        let mut position = 0;
        for s in 0..sentences {
            let len = 1 + (rng::draw(seed, Stream::Init, s as u32, 0) % 9) as usize;
            let sentence: Vec<u32> = (0..len)
                .map(|t| rng::draw(seed, Stream::Init, s as u32, 1 + t as u32) % words)
                .collect();
            batch.push_sentence(&sentence, position, &keep, 0);
            position += len as u32;
        }
        batch
    }

    fn shape(model: Model) -> UpdateShape {
        UpdateShape {
            model,
            dim: DIM,
            window: 3,
            negative: 4,
        }
    }

    /// With n-grams off each word's list is its own row, so the update is word2vec's: the
    /// same tables bit for bit (a mean of one row multiplies by exactly 1, and CBOW's mean
    /// adds the same rows in the same order), with negative sampling, with a Huffman tree
    /// (`--hs`) and with both.
    #[test]
    fn without_ngrams_it_is_the_word2vec_update() {
        let words = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"];
        let settings = SubwordSettings {
            minn: 3,
            maxn: 0,
            bucket: 0,
        };
        let index = SubwordIndex::new(&words, settings).unwrap();
        let counts = [9u64, 7, 5, 4, 2, 1];
        let sampler = NegativeSampler::new(&counts, 0.75);
        let tree = crate::huffman::HuffmanTree::new(&counts, crate::huffman::Ties::Leaves);
        let objectives = [
            (Objective::negative_sampling(&sampler), 4),
            (
                Objective {
                    negatives: None,
                    tree: Some((&tree, 0)),
                },
                0,
            ),
            (
                Objective {
                    negatives: Some(&sampler),
                    tree: Some((&tree, 6)),
                },
                4,
            ),
        ];
        for model in [Model::SkipGram, Model::Cbow] {
            for (objective, negative) in objectives {
                let shape = UpdateShape {
                    negative,
                    ..shape(model)
                };
                let case = format!(
                    "{model:?}, {negative} negatives, tree {}",
                    objective.tree.is_some()
                );
                let batch = random_batch(words.len() as u32, 12, 5);
                let (mut in_a, mut out_a) = (random_table(6, 1), random_table(11, 2));
                let (mut in_b, mut out_b) = (in_a.clone(), out_a.clone());
                let mut s = Scratch::new(&shape);
                let plain = train_batch_portable(
                    &shape,
                    &mut PlainRows::new(&mut in_a, DIM),
                    &mut PlainRows::new(&mut out_a, DIM),
                    &objective,
                    &batch,
                    3,
                    0.05,
                    &mut s,
                );
                let work = SubwordBatch {
                    shape: &shape,
                    index: &index,
                    objective,
                    batch: &batch,
                    key: 3,
                    alpha: 0.05,
                };
                let subwords = train_batch_subwords(
                    &work,
                    &mut PlainRows::new(&mut in_b, DIM),
                    &mut PlainRows::new(&mut out_b, DIM),
                    &mut Scratch::new(&shape),
                    &mut Vec::new(),
                );
                assert!(plain.examples > 0, "{case}: the batch trained nothing");
                assert_eq!(plain.examples, subwords.examples, "{case}");
                assert_eq!(plain.loss.to_bits(), subwords.loss.to_bits(), "{case}");
                assert_eq!(in_a, in_b, "{case}: input tables differ");
                assert_eq!(out_a, out_b, "{case}: output tables differ");
                assert_ne!(out_a, random_table(11, 2), "{case}: no output row trained");
            }
        }
    }

    /// One skip-gram pair: every row of the context word's list moves by the same gradient,
    /// once per occurrence in the list; rows outside it do not move.
    #[test]
    fn the_gradient_reaches_every_row_of_the_list() {
        // "aaaa" has the n-gram "aaa" twice: its row is in the list twice.
        let words = ["aaaa", "xyz"];
        let settings = SubwordSettings {
            minn: 3,
            maxn: 3,
            bucket: 50,
        };
        let index = SubwordIndex::new(&words, settings).unwrap();
        let list = index.word_rows(0).to_vec();
        assert!(
            index.word_rows(1).iter().all(|r| !list.contains(r)),
            "the two words share no row, so each row moves with one pair only"
        );
        let sampler = NegativeSampler::new(&[3, 3], 0.75);
        let shape = shape(Model::SkipGram);
        let mut batch = Batch::new();
        batch.push_sentence(&[1, 0], 0, &[1.0, 1.0], 0);
        let mut input = random_table(index.table_rows(), 4);
        let before = input.clone();
        let mut output = random_table(2, 6);
        // Every reach is at least 1: "xyz" and "aaaa" are each other's context.
        let work = SubwordBatch {
            shape: &shape,
            index: &index,
            objective: Objective::negative_sampling(&sampler),
            batch: &batch,
            key: 0,
            alpha: 0.1,
        };
        let sum = train_batch_subwords(
            &work,
            &mut PlainRows::new(&mut input, DIM),
            &mut PlainRows::new(&mut output, DIM),
            &mut Scratch::new(&shape),
            &mut Vec::new(),
        );
        assert_eq!(sum.examples, 2, "two pairs: each word the other's context");
        let delta = |row: u32| -> Vec<f32> {
            let r = row as usize * DIM;
            (0..DIM).map(|c| input[r + c] - before[r + c]).collect()
        };
        let own = delta(0);
        assert!(own.iter().any(|&d| d != 0.0), "the word's own row moved");
        for &row in &list[1..] {
            let times = list.iter().filter(|&&r| r == row).count() as f32;
            for (d, o) in delta(row).iter().zip(&own) {
                assert!(
                    (d - times * o).abs() <= 1e-6,
                    "row {row}: {d} is not {times} x {o}"
                );
            }
        }
        let touched: Vec<u32> = list.iter().chain(index.word_rows(1)).copied().collect();
        for row in 0..index.table_rows() as u32 {
            if !touched.contains(&row) {
                assert!(delta(row).iter().all(|&d| d == 0.0), "row {row} moved");
            }
        }
    }
}
