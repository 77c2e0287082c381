//! What a run derives from its corpus and settings before the first update: the shape of an
//! update, the sampling tables, the units of work, and the initial tables.

use std::ops::Range;

use crate::batch::Batch;
use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::error::Result;
use crate::rng::{self, Stream};
use crate::sampling::{self, NegativeSampler};

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

/// Everything derived from the corpus and parameters before the first update.
pub struct TrainingPlan {
    /// The shape of each update.
    pub shape: UpdateShape,
    /// Keep probability of each word under subsampling.
    pub keep: Vec<f32>,
    /// The negative-sampling table.
    pub sampler: NegativeSampler,
    /// Runs of blocks of the corpus: the unit of work (and of learning-rate steps).
    pub chunks: Vec<Range<usize>>,
    /// Positions in one epoch (kept corpus tokens).
    pub epoch_positions: u64,
    /// Tokens of the largest chunk: what a batch buffer must hold.
    pub largest_chunk: usize,
}

impl TrainingPlan {
    /// Plans training of `corpus` with `params`, in units of about `chunk_tokens` tokens.
    pub fn new(corpus: &Corpus, params: &TrainParams, chunk_tokens: usize) -> TrainingPlan {
        let counts = corpus.vocab.counts();
        let chunks = corpus.chunks(chunk_tokens);
        let largest_chunk = chunks
            .iter()
            .map(|c| {
                let positions = corpus.chunk_positions(c);
                (positions.end - positions.start) as usize
            })
            .max()
            .unwrap_or(0);
        TrainingPlan {
            shape: UpdateShape {
                model: params.model,
                dim: params.dim,
                window: params.window,
                negative: params.negative,
            },
            keep: sampling::keep_probabilities(counts, params.sample),
            sampler: NegativeSampler::new(counts, params.ns_exponent),
            chunks,
            epoch_positions: corpus.len() as u64,
            largest_chunk,
        }
    }

    /// Positions over all epochs.
    pub fn total_positions(&self, params: &TrainParams) -> u64 {
        self.epoch_positions * params.epochs as u64
    }

    /// The corpus position of the first token of chunk `index`; the end of the epoch for
    /// `index == chunks.len()`.
    pub fn chunk_start(&self, corpus: &Corpus, index: usize) -> u64 {
        self.chunks
            .get(index)
            .map_or(self.epoch_positions, |c| corpus.chunk_positions(c).start)
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

/// The input table as word2vec.c starts it: uniform in `[-0.5/dim, 0.5/dim)`, here drawn from
/// the counter-based generator so it does not depend on threads or device.
pub fn initial_input_table(words: usize, dim: usize, seed: u32) -> Vec<f32> {
    let key = rng::epoch_key(seed, u32::MAX);
    let mut table = vec![0.0f32; words * dim];
    for (row, values) in table.chunks_exact_mut(dim).enumerate() {
        for (column, value) in values.iter_mut().enumerate() {
            let unit = rng::unit_f32(rng::draw(key, Stream::Init, row as u32, column as u32));
            *value = (unit - 0.5) / dim as f32;
        }
    }
    table
}
