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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TrainConfig;
    use crate::corpus::{Corpus, ReadOptions};
    use crate::cpu::CpuBackend;
    use crate::training::{Control, Outcome, train_observed};

    /// Records what it sees; asks for the vectors when `vectors` is set.
    struct Recorder {
        vectors: bool,
        seen: Vec<(usize, u64, EpochStats, Option<usize>)>,
    }

    impl EpochObserver for Recorder {
        fn wants_embeddings(&self) -> bool {
            self.vectors
        }

        fn epoch_ended(&mut self, end: &EpochEnd<'_>) -> Result<()> {
            let rows = end.embeddings.map(Embeddings::len);
            self.seen
                .push((end.epoch, end.done, end.stats.clone(), rows));
            Ok(())
        }
    }

    #[test]
    fn every_epoch_end_is_seen_with_the_run_s_statistics() -> Result<()> {
        let text = "the cat sat on the mat\nthe dog sat on the log\n".repeat(50);
        let options = ReadOptions {
            min_count: 1,
            ..ReadOptions::default()
        };
        let corpus = Corpus::from_reader(text.as_bytes(), "test".as_ref(), &options)?;
        let params = TrainConfig {
            dim: 8,
            epochs: 3,
            threads: Some(1),
            ..TrainConfig::default()
        }
        .check()?;
        for vectors in [false, true] {
            let mut recorder = Recorder {
                vectors,
                seen: Vec::new(),
            };
            let mut backend = CpuBackend::new(params.threads);
            let outcome = train_observed(
                &mut backend,
                &corpus,
                &params,
                Control::default(),
                &mut |_| {},
                Some(&mut recorder),
            )?;
            let Outcome::Finished(trained) = outcome else {
                panic!("the run stopped without a stop flag");
            };
            assert_eq!(recorder.seen.len(), 3);
            for (i, (epoch, done, stats, rows)) in recorder.seen.iter().enumerate() {
                assert_eq!(*epoch, i);
                assert_eq!(*done, corpus.len() as u64 * (i as u64 + 1));
                assert_eq!(stats, &trained.stats.epochs[i]);
                assert_eq!(*rows, vectors.then_some(corpus.vocab.len()));
            }
        }
        Ok(())
    }
}
