//! Where a run stands, and what it continues from: the state a checkpoint saves.
//!
//! A run is fully described by its settings, its corpus, both tables and its [`Position`]:
//! the order of an epoch's chunks and the learning rate of each follow from the settings
//! ([`crate::training::TrainingPlan`]), so `next_chunk` indexes the same order when the run
//! resumes; every random draw is a pure function of `(seed, epoch, stream, corpus position,
//! slot)` ([`crate::rng`]), so the seed and the position are the generator's state.

use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::training::plan::initial_input_table;
use crate::training::stats::{EpochStats, LossSum};

/// Where a run stands: chunks of `epoch` below `next_chunk` are done, none above started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Tokens per chunk the corpus was cut with ([`Corpus::chunks`]).
    pub chunk_tokens: u64,
    /// The epoch under way, from 0; `epochs` once training is over.
    pub epoch: u64,
    /// The first chunk of `epoch` not yet trained.
    pub next_chunk: u64,
}

/// Everything about a run that changes as it trains, except the tables.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    /// Where the run stands.
    pub position: Position,
    /// Loss summed over the chunks done of the epoch under way.
    pub epoch_loss: LossSum,
    /// Wall time spent so far on the epoch under way.
    pub epoch_seconds: f64,
    /// The finished epochs.
    pub epochs: Vec<EpochStats>,
}

impl RunState {
    /// The state before the first chunk, for chunks of `chunk_tokens`.
    pub fn start(chunk_tokens: usize) -> RunState {
        RunState {
            position: Position {
                chunk_tokens: chunk_tokens as u64,
                epoch: 0,
                next_chunk: 0,
            },
            epoch_loss: LossSum::default(),
            epoch_seconds: 0.0,
            epochs: Vec::new(),
        }
    }

    /// Closes the epoch under way: its statistics join the finished ones and the position
    /// moves to the first chunk of the next epoch.
    pub fn finish_epoch(&mut self) {
        self.epochs.push(EpochStats {
            loss: self.epoch_loss.mean(),
            examples: self.epoch_loss.examples,
            seconds: self.epoch_seconds,
        });
        self.position.epoch += 1;
        self.position.next_chunk = 0;
        self.epoch_loss = LossSum::default();
        self.epoch_seconds = 0.0;
    }
}

/// The tables and state a run continues from (a checkpoint read back, or a fresh start).
pub struct Resume {
    /// Where the run stands.
    pub state: RunState,
    /// The input table, row-major.
    pub input: Vec<f32>,
    /// The output table, row-major.
    pub output: Vec<f32>,
}

impl Resume {
    /// A fresh start in chunks of `chunk_tokens`: input rows (with subwords the words' and
    /// the buckets') uniform in `[-1/dim, 1/dim)` as gensim and fastText start them, output
    /// rows (the words' and the Huffman tree's) zero.
    pub fn fresh(corpus: &Corpus, params: &TrainParams, chunk_tokens: usize) -> Resume {
        let (words, dim) = (corpus.vocab.len(), params.dim);
        let input = initial_input_table(params.input_rows(words), dim, params.seed);
        Resume {
            state: RunState::start(chunk_tokens),
            input,
            output: crate::huge_pages::zeroed(params.output_rows(words) * dim),
        }
    }

    /// [`Resume::fresh`], with the input row of every vocabulary word that `vectors` has
    /// set to that word's vector (gensim's `intersect_word2vec_format`, fastText's
    /// `-pretrainedVectors`); every other row starts as in a fresh run. Words are matched
    /// exactly, after the corpus's own `--lowercase`. With subwords a word's own row is set,
    /// and its vector is then the mean of that row and its n-gram rows, as in fastText.
    /// Returns the start and how many words took a vector; [`Error::InvalidOption`] where
    /// the vectors' dimension is not the run's.
    pub fn fresh_from_vectors(
        corpus: &Corpus,
        params: &TrainParams,
        chunk_tokens: usize,
        vectors: &Embeddings,
    ) -> Result<(Resume, usize)> {
        if vectors.dim() != params.dim {
            return Err(Error::InvalidOption {
                option: "dim",
                reason: format!(
                    "the pretrained vectors have {} dimensions and the run trains {}: give --dim {}",
                    vectors.dim(),
                    params.dim,
                    vectors.dim()
                ),
            });
        }
        let mut start = Resume::fresh(corpus, params, chunk_tokens);
        let dim = params.dim;
        let mut found = 0;
        for (row, word) in start.input.chunks_exact_mut(dim).zip(corpus.vocab.words()) {
            if let Some(vector) = vectors.get(word) {
                row.copy_from_slice(vector);
                found += 1;
            }
        }
        Ok((start, found))
    }

    /// Where a run starts: `resume` if given (its tables checked against the corpus and
    /// dimension), else [`Resume::fresh`].
    pub fn or_fresh(
        resume: Option<Resume>,
        corpus: &Corpus,
        params: &TrainParams,
        chunk_tokens: usize,
    ) -> Result<Resume> {
        let start = resume.unwrap_or_else(|| Resume::fresh(corpus, params, chunk_tokens));
        let expected = params.output_rows(corpus.vocab.len()) * params.dim;
        let expected_input = params.input_rows(corpus.vocab.len()) * params.dim;
        if start.input.len() != expected_input || start.output.len() != expected {
            return Err(Error::Mismatch(format!(
                "tables of {} and {} values do not fit {} words of {}",
                start.input.len(),
                start.output.len(),
                corpus.vocab.len(),
                params.dim
            )));
        }
        if start.state.position.chunk_tokens == 0 {
            return Err(Error::Mismatch(
                "a run state with chunks of 0 tokens".into(),
            ));
        }
        Ok(start)
    }
}
