//! What a run derives from its corpus and settings before the first update: the shape of an
//! update, the sampling tables, the units of work in the order an epoch trains them, the
//! learning rate of each, and the initial tables.

use std::ops::Range;

use crate::batch::Batch;
use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::huffman::HuffmanTree;
use crate::rng::{self, Stream};
use crate::sampling::{self, NegativeSampler};
use crate::subwords::SubwordIndex;

/// What a window update needs besides the tables: the same for every backend.
#[derive(Clone, Copy, Debug)]
pub struct UpdateShape {
    /// Skip-gram, CBOW or batch skip-gram.
    pub model: Model,
    /// Vector dimension.
    pub dim: usize,
    /// Largest window.
    pub window: usize,
    /// Negatives per update.
    pub negative: usize,
}

/// What an update scores its input against: the centre word's output row and its negatives,
/// the inner nodes of the centre's Huffman path (hierarchical softmax), or both.
#[derive(Clone, Copy, Debug)]
pub struct Objective<'a> {
    /// Negative sampling, with [`UpdateShape::negative`] draws; `None` with `--negative 0`.
    pub negatives: Option<&'a NegativeSampler>,
    /// Hierarchical softmax: the tree, and the output row of its inner node 0.
    pub tree: Option<(&'a HuffmanTree, u32)>,
}

impl<'a> Objective<'a> {
    /// Negative sampling alone.
    pub fn negative_sampling(sampler: &'a NegativeSampler) -> Objective<'a> {
        Objective {
            negatives: Some(sampler),
            tree: None,
        }
    }
}

/// Everything derived from the corpus and parameters before the first update.
///
/// The corpus is cut into [`TrainParams::parts`] contiguous parts of about equal length, and
/// an epoch takes their chunks round-robin (part 0's first, part 1's first, ..., then each
/// part's second), so that the parts advance side by side. Each chunk's learning rate decays
/// by the positions of its own part trained before it, over the positions of the whole run:
/// within an epoch the rate falls by only 1/parts of the epoch's share, then steps down at
/// the next epoch. That is what gensim's `corpus_file` mode does with as many workers as
/// parts (each worker reads its own part of the file and decays its rate by its own progress
/// over the whole corpus's count), and on `mix8m` it scored higher on word similarity and
/// analogies than a linear decay over the run (see the README's quality figures). With one part the order is the corpus's and the
/// decay linear, as in word2vec.c. The order and the rates depend on the settings alone,
/// never on the thread count or the device.
pub struct TrainingPlan {
    /// The shape of each update.
    pub shape: UpdateShape,
    /// Keep probability of each word under subsampling.
    pub keep: Vec<f32>,
    /// The negative-sampling table.
    pub sampler: NegativeSampler,
    /// With `--hs`, the Huffman tree of hierarchical softmax.
    pub tree: Option<HuffmanTree>,
    /// The output row of the tree's inner node 0 ([`TrainParams::first_tree_row`]).
    pub first_tree_row: u32,
    /// Runs of blocks of the corpus, in the order an epoch trains them (see the type's
    /// docs): the unit of work (and of learning-rate steps).
    pub chunks: Vec<Range<usize>>,
    /// Positions in one epoch (kept corpus tokens).
    pub epoch_positions: u64,
    /// Tokens of the largest chunk: what a batch buffer must hold.
    pub largest_chunk: usize,
    /// With `--subwords`, each word's input rows (its own and its n-grams'); the input table
    /// then has [`SubwordIndex::table_rows`] rows.
    pub subwords: Option<SubwordIndex>,
    /// Positions of the chunks before each chunk in training order, then the epoch's total.
    done_before: Vec<u64>,
    /// Positions of each chunk's own part before it: what its learning rate decays by.
    part_before: Vec<u64>,
}

/// The chunk order and learning-rate offsets of an epoch of chunks of `sizes` positions (in
/// corpus order) cut into `parts` parts: the corpus-order index of each chunk in training
/// order, and the positions of its part before it.
fn interleave(sizes: &[u64], parts: usize) -> (Vec<usize>, Vec<u64>) {
    let total: u64 = sizes.iter().sum();
    let parts = parts.clamp(1, sizes.len().max(1)) as u64;
    // Part p holds the chunks that start before p+1 parts' share of the positions, as
    // gensim's workers start at equal shares of the file.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); parts as usize];
    let mut start = 0u64;
    for (index, &size) in sizes.iter().enumerate() {
        let part = (u128::from(start) * u128::from(parts) / u128::from(total.max(1))) as usize;
        members[part.min(parts as usize - 1)].push(index);
        start += size;
    }
    let mut order = Vec::with_capacity(sizes.len());
    let mut part_before = Vec::with_capacity(sizes.len());
    let mut done = vec![0u64; members.len()];
    let rounds = members.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        for (part, chunks) in members.iter().enumerate() {
            if let Some(&index) = chunks.get(round) {
                order.push(index);
                part_before.push(done[part]);
                done[part] += sizes[index];
            }
        }
    }
    (order, part_before)
}

impl TrainingPlan {
    /// Plans training of `corpus` with `params`, in units of about `chunk_tokens` tokens.
    /// Fails where the subword rows would not fit 32-bit row ids, and where hierarchical
    /// softmax alone has a vocabulary of one word (a tree of no inner node trains nothing).
    pub fn new(corpus: &Corpus, params: &TrainParams, chunk_tokens: usize) -> Result<TrainingPlan> {
        let counts = corpus.vocab.counts();
        if params.hs && params.negative == 0 && counts.len() < 2 {
            return Err(Error::InvalidOption {
                option: "hs",
                reason: "the vocabulary has one word, and a Huffman tree of one word has no \
                         node to train: give --negative, or a corpus of more words"
                    .into(),
            });
        }
        let in_corpus_order = corpus.chunks(chunk_tokens);
        let sizes: Vec<u64> = in_corpus_order
            .iter()
            .map(|c| {
                let positions = corpus.chunk_positions(c);
                positions.end - positions.start
            })
            .collect();
        let largest_chunk = sizes.iter().copied().max().unwrap_or(0) as usize;
        let (order, part_before) = interleave(&sizes, params.parts);
        let mut done_before = Vec::with_capacity(order.len() + 1);
        let mut done = 0u64;
        for &index in &order {
            done_before.push(done);
            done += sizes[index];
        }
        done_before.push(done);
        let chunks = order.iter().map(|&i| in_corpus_order[i].clone()).collect();
        let subwords = params
            .subwords
            .map(|settings| SubwordIndex::new(corpus.vocab.words(), settings))
            .transpose()?;
        Ok(TrainingPlan {
            shape: UpdateShape {
                model: params.model,
                dim: params.dim,
                window: params.window,
                negative: params.negative,
            },
            keep: sampling::keep_probabilities(counts, params.sample),
            sampler: NegativeSampler::new(counts, params.ns_exponent),
            tree: params.hs.then(|| HuffmanTree::new(counts, params.hs_ties)),
            first_tree_row: params.first_tree_row(counts.len()) as u32,
            chunks,
            epoch_positions: corpus.len() as u64,
            largest_chunk,
            subwords,
            done_before,
            part_before,
        })
    }

    /// What each update scores against (see [`Objective`]).
    pub fn objective(&self) -> Objective<'_> {
        Objective {
            negatives: (self.shape.negative > 0).then_some(&self.sampler),
            tree: self.tree.as_ref().map(|tree| (tree, self.first_tree_row)),
        }
    }

    /// Positions over all epochs.
    pub fn total_positions(&self, params: &TrainParams) -> u64 {
        self.epoch_positions * params.epochs as u64
    }

    /// Positions of an epoch trained before chunk `index` (in training order) starts; the
    /// epoch's total for `index >= chunks.len()`.
    pub fn done_before(&self, index: usize) -> u64 {
        self.done_before
            .get(index)
            .copied()
            .unwrap_or(self.epoch_positions)
    }

    /// The learning rate of chunk `index` (in training order) of `epoch`: the linear decay of
    /// [`TrainParams::alpha_at`] at the epochs before it plus the positions of its own part
    /// trained before it (see the type's docs). With one part that is the positions of the
    /// run before the chunk. Past the last chunk, the rate the epoch ended at.
    pub fn alpha(&self, params: &TrainParams, epoch: usize, index: usize) -> f32 {
        let within = match self.part_before.get(index) {
            Some(&before) => before,
            None => {
                // The end of the epoch: the last chunk's part, once it is done.
                let last = self.part_before.len().saturating_sub(1);
                let size = self.done_before(last + 1) - self.done_before(last);
                self.part_before
                    .get(last)
                    .map_or(0, |&before| before + size)
            }
        };
        let run = epoch as u64 * self.epoch_positions + within;
        params.alpha_at(run, self.total_positions(params))
    }

    /// Fills `batch` with the sentences of `chunk`, subsampled with the draws of epoch `key`.
    /// Positions in a batch are the corpus positions modulo 2^32 (the draws' counter).
    pub fn fill_batch(
        &self,
        corpus: &Corpus,
        chunk: &Range<usize>,
        key: u32,
        batch: &mut Batch,
    ) -> Result<()> {
        batch.clear();
        corpus.for_each_sentence_in(chunk, |words, position| {
            batch.push_sentence(words, position as u32, &self.keep, key)
        })
    }
}

/// The input table as gensim 4 and fastText start it: `rows` rows (a subword model's words,
/// then its buckets) uniform in `[-1/dim, 1/dim)`, drawn from the counter-based generator so
/// it does not depend on threads or device. word2vec.c draws from half that range; the wider
/// start trains the same vectors after five epochs and better ones after one (the README's
/// "Initial vectors" figures).
pub fn initial_input_table(rows: usize, dim: usize, seed: u32) -> Vec<f32> {
    let key = rng::epoch_key(seed, u32::MAX);
    let mut table = crate::huge_pages::zeroed(rows * dim);
    for (row, values) in table.chunks_exact_mut(dim).enumerate() {
        for (column, value) in values.iter_mut().enumerate() {
            let unit = rng::unit_f32(rng::draw(key, Stream::Init, row as u32, column as u32));
            *value = (2.0 * unit - 1.0) / dim as f32;
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::TrainConfig;
    use crate::corpus::ReadOptions;

    #[test]
    fn interleave_takes_every_chunk_once_round_robin() {
        let sizes = [10u64; 7];
        let (order, part_before) = interleave(&sizes, 2);
        // Part 0 holds the chunks starting before half the positions (0..4), part 1 the rest.
        assert_eq!(order, vec![0, 4, 1, 5, 2, 6, 3]);
        assert_eq!(part_before, vec![0, 0, 10, 10, 20, 20, 30]);
        let (order, part_before) = interleave(&sizes, 1);
        assert_eq!(order, (0..7).collect::<Vec<_>>());
        assert_eq!(part_before, (0..7).map(|i| 10 * i).collect::<Vec<_>>());
        for parts in 1..12 {
            let sizes: Vec<u64> = (0..9).map(|i| 1 + (i * 7919 % 13)).collect();
            let (mut order, part_before) = interleave(&sizes, parts);
            assert_eq!(part_before.len(), sizes.len());
            order.sort_unstable();
            assert_eq!(order, (0..9).collect::<Vec<_>>(), "parts {parts}");
        }
        assert_eq!(interleave(&[], 3), (Vec::new(), Vec::new()));
    }

    fn plan(parts: usize, epochs: usize) -> (TrainingPlan, TrainParams) {
        // Blocks, which chunks are made of, hold at least 10,000 tokens: 12 of them.
        let text: String = (0..30_000)
            .map(|i| format!("w{} w{} w{} w{}\n", i % 7, i % 11, i % 3, i % 5))
            .collect();
        let options = ReadOptions {
            min_count: 1,
            ..ReadOptions::default()
        };
        let corpus = Corpus::from_reader(text.as_bytes(), Path::new("t"), &options).unwrap();
        let params = TrainConfig {
            epochs,
            parts,
            threads: Some(1),
            ..TrainConfig::default()
        }
        .check()
        .unwrap();
        (TrainingPlan::new(&corpus, &params, 10_000).unwrap(), params)
    }

    #[test]
    fn one_part_is_corpus_order_with_a_linear_decay() {
        let (plan, params) = plan(1, 3);
        let total = plan.total_positions(&params);
        for epoch in 0..3 {
            for index in 0..=plan.chunks.len() {
                let run = epoch as u64 * plan.epoch_positions + plan.done_before(index);
                assert_eq!(
                    plan.alpha(&params, epoch, index),
                    params.alpha_at(run, total)
                );
            }
        }
        assert!(plan.chunks.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn every_chunk_once_and_the_rate_never_rises_across_epochs() {
        for parts in [1, 2, 3, 5] {
            let (plan, params) = plan(parts, 4);
            assert!(plan.chunks.len() >= 8, "{}", plan.chunks.len());
            let mut blocks: Vec<usize> = plan.chunks.iter().flat_map(|c| c.clone()).collect();
            blocks.sort_unstable();
            assert!(blocks.windows(2).all(|w| w[0] + 1 == w[1]), "parts {parts}");
            assert_eq!(plan.done_before(plan.chunks.len()), plan.epoch_positions);
            let mut last_of_epoch = f32::INFINITY;
            for epoch in 0..4 {
                let rates: Vec<f32> = (0..plan.chunks.len())
                    .map(|i| plan.alpha(&params, epoch, i))
                    .collect();
                let highest = rates.iter().copied().fold(f32::MIN, f32::max);
                assert!(highest <= last_of_epoch, "parts {parts} epoch {epoch}");
                last_of_epoch = rates.iter().copied().fold(f32::MAX, f32::min);
            }
            // Within an epoch the rate falls by 1/parts of the epoch's share, give or take a
            // chunk (parts are cut at chunk boundaries).
            let first = plan.alpha(&params, 3, 0);
            let share = f64::from(params.alpha - params.min_alpha) / 4.0;
            let slack = plan.largest_chunk as f64 / plan.epoch_positions as f64;
            let bound = share * (1.0 / parts as f64 + slack) + 1e-6;
            assert!(
                f64::from(first - last_of_epoch) <= bound,
                "parts {parts}: {first} to {last_of_epoch}"
            );
        }
    }
}
