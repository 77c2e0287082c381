//! Watching a run's epochs end: what a metrics log or a per-epoch evaluation sees.

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::training::stats::EpochStats;

/// The end of one epoch, as [`EpochObserver::epoch_ended`] sees it.
pub struct EpochEnd<'a> {
    /// The epoch that ended, from 0.
    pub epoch: usize,
    /// Positions done over all epochs so far.
    pub done: u64,
    /// What the epoch measured.
    pub stats: &'a EpochStats,
    /// The word vectors as they stand, when [`EpochObserver::wants_embeddings`] asked.
    pub embeddings: Option<&'a Embeddings>,
}

/// Called by [`crate::training::train_observed`] at the end of every epoch, between
/// segments (no chunk is being trained).
pub trait EpochObserver {
    /// Whether [`EpochObserver::epoch_ended`] needs the word vectors: building them copies
    /// the input table (off the GPU, for a GPU run), so it is done only when asked.
    fn wants_embeddings(&self) -> bool;

    /// Sees the end of an epoch; an error ends the run with that error.
    fn epoch_ended(&mut self, end: &EpochEnd<'_>) -> Result<()>;
}
