//! What a run measures: loss sums, progress snapshots, per-epoch and whole-run statistics.

use std::time::Duration;

/// Loss summed over positive examples, and their number.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossSum {
    /// Sum of the loss `L` of [`crate::cpu::update`] over updates.
    pub loss: f64,
    /// Number of updates (positive examples).
    pub examples: u64,
}

impl LossSum {
    /// Adds another sum.
    pub fn add(&mut self, other: LossSum) {
        self.loss += other.loss;
        self.examples += other.examples;
    }

    /// Mean loss per example (0 when there was none).
    pub fn mean(&self) -> f64 {
        if self.examples == 0 {
            0.0
        } else {
            self.loss / self.examples as f64
        }
    }
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
    /// Mean loss per example so far in this epoch (NaN before the first is known).
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

/// How often the driver reports progress.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);
