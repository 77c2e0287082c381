//! What `train --metrics` and `--analogies` add to a run: the metrics log, and the analogy
//! accuracy of the vectors at each epoch end.

use std::cell::RefCell;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::cli::say::note;
use crate::eval::{DEFAULT_RESTRICT, MAX_FILE_BYTES, count_analogies, evaluate_analogies_reader};
use crate::io::atomic::AtomicFile;
use crate::io::whole_text;
use crate::metrics::{EpochRecord, MetricsLog};
use crate::training::{EpochEnd, EpochObserver, Progress};
use anyhow::Context;
use indicatif::ProgressBar;

/// Analogy questions, read once before training.
struct Analogies {
    path: PathBuf,
    text: Vec<u8>,
}

/// The log and the questions of a run; each is optional.
pub struct RunWatch {
    /// Where the log goes, until [`RunWatch::start`] opens it.
    metrics: Option<PathBuf>,
    /// Shared by the progress callback and the epoch observer, which never run at once.
    log: Option<RefCell<MetricsLog>>,
    analogies: Option<Analogies>,
}

impl RunWatch {
    /// Reads the analogy questions and checks that the metrics log can be written, so that a
    /// bad path fails before the corpus is read; the log itself is opened by
    /// [`RunWatch::start`], so that a run refused before training leaves no file.
    pub fn check(metrics: Option<&Path>, analogies: Option<&Path>) -> anyhow::Result<RunWatch> {
        if let Some(path) = metrics {
            AtomicFile::check(path).with_context(|| format!("--metrics {}", path.display()))?;
        }
        let analogies = analogies
            .map(|path| -> anyhow::Result<Analogies> {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("reading the analogies {}", path.display()))?;
                let text = whole_text::read_bounded(file, path, MAX_FILE_BYTES)?;
                count_analogies(Cursor::new(&text), path)?;
                Ok(Analogies {
                    path: path.to_path_buf(),
                    text,
                })
            })
            .transpose()?;
        Ok(RunWatch {
            metrics: metrics.map(Path::to_path_buf),
            log: None,
            analogies,
        })
    }

    /// Opens the metrics log, if one was asked for: a new file, or added to with `append`
    /// (a resumed run).
    pub fn start(&mut self, append: bool) -> anyhow::Result<()> {
        if let Some(path) = &self.metrics {
            self.log = Some(RefCell::new(MetricsLog::create(path, append)?));
        }
        Ok(())
    }

    /// Logs a progress report.
    pub fn progress(&self, progress: &Progress) {
        if let Some(log) = &self.log {
            log.borrow_mut().interval(progress);
        }
    }

    /// The epoch observer, where there is anything to do at epoch ends; `bar` is suspended
    /// while the accuracy is printed.
    pub fn observer<'a>(&'a self, bar: &'a ProgressBar) -> Option<EpochWatch<'a>> {
        (self.log.is_some() || self.analogies.is_some()).then_some(EpochWatch { watch: self, bar })
    }

    /// Closes the log: the first error of any write.
    pub fn finish(self) -> anyhow::Result<()> {
        if let Some(log) = self.log {
            log.into_inner().finish()?;
        }
        Ok(())
    }
}

/// Sees each epoch end: scores the vectors and logs the epoch.
pub struct EpochWatch<'a> {
    watch: &'a RunWatch,
    bar: &'a ProgressBar,
}

impl EpochObserver for EpochWatch<'_> {
    fn wants_embeddings(&self) -> bool {
        self.watch.analogies.is_some()
    }

    fn epoch_ended(&mut self, end: &EpochEnd<'_>) -> crate::Result<()> {
        let accuracy = match (&self.watch.analogies, end.embeddings) {
            (Some(questions), Some(embeddings)) => {
                let text = Cursor::new(questions.text.as_slice());
                let report =
                    evaluate_analogies_reader(embeddings, text, &questions.path, DEFAULT_RESTRICT)?;
                self.bar.suspend(|| {
                    note!(
                        "epoch {}: analogy accuracy {:.4} ({} of {} questions answered)",
                        end.epoch + 1,
                        report.accuracy(),
                        report.covered,
                        report.total_questions
                    );
                });
                Some(report.accuracy())
            }
            _ => None,
        };
        if let Some(log) = &self.watch.log {
            log.borrow_mut().epoch(EpochRecord {
                epoch: end.epoch + 1,
                words_done: end.done,
                loss: end.stats.loss,
                examples: end.stats.examples,
                epoch_seconds: end.stats.seconds,
                seconds: 0.0,
                analogy_accuracy: accuracy,
            });
        }
        Ok(())
    }
}
