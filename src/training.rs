//! What every trainer shares: initial tables, sampling tables, units of work, progress and
//! the summary of a run.

use std::ops::Range;
use std::time::Duration;

use crate::batch::Batch;
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::cpu::update::UpdateShape;
use crate::rng::{self, Stream};
use crate::sampling::{self, NegativeSampler};

/// Everything derived from the corpus and parameters before the first update.
pub struct TrainingPlan {
    /// The shape of each update.
    pub shape: UpdateShape,
    /// Keep probability of each word under subsampling.
    pub keep: Vec<f32>,
    /// The negative-sampling table.
    pub sampler: NegativeSampler,
    /// Runs of sentences: the unit of work (and of learning-rate steps).
    pub chunks: Vec<Range<usize>>,
    /// Positions in one epoch (kept corpus tokens).
    pub epoch_positions: u64,
}

impl TrainingPlan {
    /// Plans training of `corpus` with `params`, in units of about `chunk_tokens` tokens.
    pub fn new(corpus: &Corpus, params: &TrainParams, chunk_tokens: usize) -> TrainingPlan {
        let counts = corpus.vocab.counts();
        TrainingPlan {
            shape: UpdateShape {
                model: params.model,
                dim: params.dim,
                window: params.window,
                negative: params.negative,
            },
            keep: sampling::keep_probabilities(counts, params.sample),
            sampler: NegativeSampler::new(counts, params.ns_exponent),
            chunks: corpus.chunks(chunk_tokens),
            epoch_positions: corpus.len() as u64,
        }
    }

    /// Positions over all epochs.
    pub fn total_positions(&self, params: &TrainParams) -> u64 {
        self.epoch_positions * params.epochs as u64
    }

    /// Fills `batch` with the sentences of `chunk`, subsampled with the draws of epoch `key`.
    pub fn fill_batch(&self, corpus: &Corpus, chunk: &Range<usize>, key: u32, batch: &mut Batch) {
        batch.clear();
        for sentence in chunk.clone() {
            let range = corpus.sentence_range(sentence);
            let start = range.start as u32;
            batch.push_sentence(&corpus.tokens()[range], start, &self.keep, key);
        }
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

/// A snapshot of a run in progress, for progress bars.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Positions done over all epochs.
    pub done: u64,
    /// Positions over all epochs.
    pub total: u64,
    /// Current epoch, from 0.
    pub epoch: usize,
    /// Mean loss per example so far in this epoch.
    pub loss: f64,
    /// Learning rate in use.
    pub alpha: f32,
}

/// Results of one epoch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EpochStats {
    /// Mean loss per positive example.
    pub loss: f64,
    /// Positive examples (skip-gram pairs, CBOW windows).
    pub examples: u64,
    /// Wall time.
    pub seconds: f64,
}

/// The summary of a training run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainStats {
    /// One entry per epoch.
    pub epochs: Vec<EpochStats>,
    /// Corpus tokens processed (kept tokens times epochs, before subsampling).
    pub words: u64,
    /// Wall time of training (not reading).
    pub seconds: f64,
    /// Where it ran, e.g. "cpu (2 threads)" or the GPU adapter's name and backend.
    pub device: String,
}

impl TrainStats {
    /// Corpus words per second over the whole run.
    pub fn words_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.words as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// How often trainers report progress.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);
