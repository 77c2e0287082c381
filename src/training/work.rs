//! The chunks of one segment of a run, handed out to a backend's workers: which chunk comes
//! next, at which learning rate, and when to pause for a checkpoint or a stop.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use crate::batch::Batch;
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::error::Result;
use crate::rng;
use crate::training::plan::TrainingPlan;
use crate::training::stats::{LossSum, Progress};

/// One chunk to train.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Work {
    /// Index of the chunk in [`TrainingPlan::chunks`] (training order).
    pub chunk: usize,
    /// The epoch key of its random draws ([`rng::epoch_key`]).
    pub key: u32,
    /// Its learning rate, from its place in the run ([`TrainingPlan::alpha`]).
    pub alpha: f32,
    /// Corpus positions it covers (its tokens before subsampling).
    pub positions: u64,
}

/// When the segment should end early so that a checkpoint can be written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pause {
    /// Never before the epoch ends.
    Never,
    /// At the first chunk handed out after this instant.
    At(Instant),
    /// At the first chunk that starts at or after this position of the run.
    AtPosition(u64),
}

/// Where a segment starts.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// The epoch, from 0.
    pub epoch: usize,
    /// Its first chunk.
    pub first_chunk: usize,
    /// Positions of the run done before it.
    pub done: u64,
    /// Loss of the epoch's chunks done before it.
    pub loss: LossSum,
    /// When to pause for a checkpoint.
    pub pause: Pause,
    /// Set by the caller to stop the run.
    pub stop: &'a AtomicBool,
}

/// What a segment did, once its backend returned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentReport {
    /// The first chunk not trained: every chunk below it is done, none above started.
    pub next_chunk: usize,
    /// Loss of the epoch so far.
    pub loss: LossSum,
    /// Positions of the run done.
    pub done: u64,
    /// Whether it ended before the epoch did (a checkpoint or a stop is due).
    pub paused: bool,
}

/// Hands out the chunks of one segment to any number of workers (it is `Sync`), and gathers
/// what they report. The segment ends when the epoch's chunks run out, the stop flag is set,
/// or a checkpoint is due; the first chunk is always handed out, so each segment makes
/// progress however short the checkpoint interval.
pub struct WorkQueue<'a> {
    corpus: &'a Corpus,
    plan: &'a TrainingPlan,
    params: &'a TrainParams,
    epoch: usize,
    key: u32,
    total: u64,
    pause_at: Pause,
    stop: &'a AtomicBool,
    next: AtomicUsize,
    first: AtomicBool,
    paused: AtomicBool,
    done: AtomicU64,
    loss: Mutex<LossSum>,
    live: Mutex<Option<LossSum>>,
}

impl<'a> WorkQueue<'a> {
    /// The queue of `segment` of a run of `plan` on `corpus`.
    pub fn new(
        corpus: &'a Corpus,
        plan: &'a TrainingPlan,
        params: &'a TrainParams,
        segment: Segment<'a>,
    ) -> WorkQueue<'a> {
        WorkQueue {
            corpus,
            plan,
            params,
            epoch: segment.epoch,
            key: rng::epoch_key(params.seed, segment.epoch as u32),
            total: plan.total_positions(params),
            pause_at: segment.pause,
            stop: segment.stop,
            next: AtomicUsize::new(segment.first_chunk),
            first: AtomicBool::new(true),
            paused: AtomicBool::new(false),
            done: AtomicU64::new(segment.done),
            loss: Mutex::new(segment.loss),
            live: Mutex::new(None),
        }
    }

    /// The next chunk to train, or `None` when the segment is over.
    pub fn next(&self) -> Option<Work> {
        let first = self.first.swap(false, Ordering::Relaxed);
        if !first && self.should_pause() {
            return None;
        }
        let mut chunk = self.next.load(Ordering::Relaxed);
        loop {
            let range = self.plan.chunks.get(chunk)?;
            let start = self.plan.done_before(chunk);
            let position = self.epoch as u64 * self.plan.epoch_positions + start;
            if !first && matches!(self.pause_at, Pause::AtPosition(due) if position >= due) {
                self.paused.store(true, Ordering::Relaxed);
                return None;
            }
            // Taken only if no other worker took it first: the counter never passes a chunk
            // that was not handed out, so every chunk below it is trained once the workers
            // return.
            match self.next.compare_exchange_weak(
                chunk,
                chunk + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    let positions = self.corpus.chunk_positions(range);
                    return Some(Work {
                        chunk,
                        key: self.key,
                        alpha: self.plan.alpha(self.params, self.epoch, chunk),
                        positions: positions.end - positions.start,
                    });
                }
                Err(now) => chunk = now,
            }
        }
    }

    /// Whether a stop or a checkpoint is due (and then, for every worker, from now on).
    fn should_pause(&self) -> bool {
        if self.paused.load(Ordering::Relaxed) {
            return true;
        }
        let due = self.stop.load(Ordering::Relaxed)
            || matches!(self.pause_at, Pause::At(when) if Instant::now() >= when);
        if due {
            self.paused.store(true, Ordering::Relaxed);
        }
        due
    }

    /// Fills `batch` with the tokens of `work` that survive subsampling.
    pub fn fill(&self, work: &Work, batch: &mut Batch) -> Result<()> {
        self.plan
            .fill_batch(self.corpus, &self.plan.chunks[work.chunk], work.key, batch)
    }

    /// Hands out no more chunks, to any worker: a worker failed, and the backend returns its
    /// error once the others have finished the chunks they hold.
    pub fn abort(&self) {
        self.paused.store(true, Ordering::Relaxed);
    }

    /// Records `work` as done (for a device: submitted, in order), for progress.
    pub fn done(&self, work: &Work) {
        self.done.fetch_add(work.positions, Ordering::Relaxed);
    }

    /// Adds the exact loss of chunks done. One worker adding per chunk in chunk order gives
    /// the same sums whether or not the run was interrupted.
    pub fn add_loss(&self, sum: LossSum) {
        if let Ok(mut loss) = self.loss.lock() {
            loss.add(sum);
        }
    }

    /// Shows a partial loss of this segment not yet added (a device's sums read in the
    /// background) in progress reports; replaced by the next one, cleared by
    /// [`Self::add_loss`]'s caller finishing the segment.
    pub fn show_loss(&self, partial: LossSum) {
        if let Ok(mut live) = self.live.lock() {
            *live = Some(partial);
        }
    }

    /// Where the run stands, for a progress report.
    pub fn progress(&self) -> Progress {
        let done = self.done.load(Ordering::Relaxed);
        let mut loss = self.loss.lock().map(|l| *l).unwrap_or_default();
        if let Some(live) = self.live.lock().ok().and_then(|l| *l) {
            loss.add(live);
        }
        Progress {
            done,
            total: self.total,
            epoch: self.epoch,
            loss: if loss.examples == 0 {
                f64::NAN
            } else {
                loss.mean()
            },
            alpha: self
                .plan
                .alpha(self.params, self.epoch, self.next.load(Ordering::Relaxed)),
        }
    }

    /// What the segment did; call once every worker has returned.
    pub fn report(self) -> SegmentReport {
        let chunks = self.plan.chunks.len();
        SegmentReport {
            next_chunk: self.next.into_inner().min(chunks),
            loss: self.loss.into_inner().unwrap_or_default(),
            done: self.done.into_inner(),
            paused: self.paused.into_inner(),
        }
    }
}
