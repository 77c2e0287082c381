//! One single-process training run of `train`: the progress shown, the checkpoints written,
//! and the stop request heard, whoever started it (the command line or a library caller).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use indicatif::ProgressBar;

use super::interrupt::{self, INTERRUPTED};
use super::pretrained::Pretrained;
use super::progress;
use super::watch::RunWatch;
use crate::checkpoint::{self, CorpusFingerprint, Header, RunFiles};
use crate::cli::say::note;
use crate::training::{
    Control, EpochObserver, Every, Outcome, Progress, Resume, Snapshot, Trained,
};
use crate::{Corpus, Device, TrainParams};

/// Who started a run: the command line, or a library caller (the Python package).
pub enum Front<'a> {
    /// `vectrain train`: a progress bar on stderr, Ctrl-C and SIGTERM caught, the vectors
    /// written to --output.
    CommandLine,
    /// A library caller: progress reports to `progress`, the run stops (checkpointed where a
    /// checkpoint path applies) when `stop` is set, the vectors are given back and written
    /// only to an --output given.
    Caller {
        /// Sees every progress report.
        progress: &'a mut dyn FnMut(&Progress),
        /// Set by the caller to stop the run.
        stop: &'a AtomicBool,
    },
}

/// What a run needs besides its start: where it trains, what, and where its state goes.
pub struct Session<'a> {
    /// The device opened for the run.
    pub device: &'a Device,
    /// The training settings.
    pub params: &'a TrainParams,
    /// The files a checkpoint records.
    pub files: RunFiles,
    /// How often to write checkpoints (where there is a place for them).
    pub every: Option<Every>,
    /// The corpus read.
    pub corpus: &'a Corpus,
    /// The metrics log and the analogy questions.
    pub watch: &'a RunWatch,
    /// Where checkpoints go; none where the caller gave no place for them.
    pub checkpoint: Option<&'a Path>,
    /// Options to repeat in the command that resumes the run (where it trains, the log).
    pub resume_options: Vec<String>,
    /// Vectors a fresh run's input rows start from (`--pretrained-vectors`).
    pub pretrained: Option<&'a Pretrained>,
}

/// Where progress reports go.
type ReportFn<'a> = dyn FnMut(&Progress) + 'a;

/// How a session ended.
pub enum SessionEnd {
    /// Trained to the end; whether a checkpoint was written on the way.
    Finished(Box<Trained>, bool),
    /// Stopped on request (the state saved where a checkpoint path applies).
    Stopped,
}

impl Session<'_> {
    /// Trains from `resume` (or afresh), started by `front`.
    pub fn train(&self, resume: Option<Resume>, front: Front<'_>) -> anyhow::Result<SessionEnd> {
        let params = self.params;
        let mut backend = self.device.backend(params);
        let chunk_tokens = backend.chunk_tokens();
        let resume = Pretrained::or_start(
            self.pretrained,
            resume,
            self.corpus,
            params,
            chunk_tokens,
            true,
        )?;
        let trainer = backend.name();
        let files = &self.files;
        let fingerprint = CorpusFingerprint::of(self.corpus);
        let command_line = matches!(front, Front::CommandLine);
        let resume_command = self
            .checkpoint
            .map(|path| interrupt::resume_command(path, &self.resume_options));
        let bar = if command_line {
            progress::training_bar(self.corpus.len() as u64 * params.epochs as u64)
        } else {
            ProgressBar::hidden()
        };
        let mut first_checkpoint = true;
        let mut write_checkpoint = |snapshot: &Snapshot<'_>| -> crate::Result<()> {
            let Some(path) = self.checkpoint else {
                return Ok(());
            };
            let header = Header {
                trainer,
                params,
                files,
                vocab: &self.corpus.vocab,
                corpus: fingerprint,
                state: snapshot.state,
            };
            checkpoint::write(path, &header, snapshot.input, snapshot.output)?;
            let position = snapshot.state.position;
            bar.suspend(|| {
                note!(
                    "checkpoint written to {} (epoch {}, chunk {})",
                    path.display(),
                    position.epoch + 1,
                    position.next_chunk + 1
                );
                let first = std::mem::take(&mut first_checkpoint);
                if let Some(command) = resume_command.as_ref().filter(|_| first && command_line) {
                    note!("if the run is killed, this continues it: {command}");
                }
            });
            Ok(())
        };
        let (stop, mut report): (_, Box<ReportFn<'_>>) = match front {
            Front::CommandLine => {
                interrupt::install()?;
                (&INTERRUPTED, Box::new(|p| progress::show(&bar, p)))
            }
            Front::Caller { progress, stop } => (stop, Box::new(progress)),
        };
        let control = Control {
            resume,
            every: self.checkpoint.and(self.every),
            stop: Some(stop),
            checkpoint: Some(&mut write_checkpoint),
            averager: None,
        };
        let mut observer = self.watch.observer(&bar);
        let outcome = crate::training::train_observed(
            backend.as_mut(),
            self.corpus,
            params,
            control,
            &mut |p| {
                report(p);
                self.watch.progress(p);
            },
            observer.as_mut().map(|o| o as &mut dyn EpochObserver),
        )?;
        bar.finish_and_clear();
        match outcome {
            Outcome::Finished(trained) => Ok(SessionEnd::Finished(trained, !first_checkpoint)),
            Outcome::Stopped(position) => {
                if let (true, Some(path), Some(command)) =
                    (command_line, self.checkpoint, &resume_command)
                {
                    note!(
                        "interrupted: the training state (epoch {}, chunk {}) is saved in {}; no vectors were written.\nTo resume:\n  {command}",
                        position.epoch + 1,
                        position.next_chunk + 1,
                        path.display(),
                    );
                }
                Ok(SessionEnd::Stopped)
            }
        }
    }
}
