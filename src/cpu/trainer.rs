//! The multi-threaded CPU trainer (Hogwild), and the deterministic one-thread mode.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::batch::Batch;
use crate::checkpoint::{Every, Position, RunState};
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::cpu::tables::SharedTable;
use crate::cpu::update::{LossSum, Scratch, train_batch};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::rng;
use crate::training::{
    EpochStats, PROGRESS_INTERVAL, Progress, TrainStats, TrainingPlan, initial_input_table,
};

/// Tokens per unit of work: small enough to balance threads and step the learning rate often
/// (word2vec.c steps it every 10k words), large enough that taking a unit costs nothing.
pub const CPU_CHUNK_TOKENS: usize = 10_000;

/// A trained model: input vectors (what users call the embeddings) and run statistics.
pub struct Trained {
    /// The input table with its vocabulary.
    pub embeddings: Embeddings,
    /// The output table (`syn1neg`), row-major like the input table.
    pub output: Vec<f32>,
    /// What the run measured.
    pub stats: TrainStats,
}

/// Trains on the CPU with `params.threads` threads, calling `progress` from the calling
/// thread a few times a second.
///
/// Threads share the tables without locks (Hogwild). With one thread (always so in
/// `deterministic` mode) the run is the reference semantics of [`crate::cpu::update`] applied
/// to each chunk in corpus order, and its result depends only on the seed and settings.
pub fn train(
    corpus: &Corpus,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Trained> {
    match train_with(corpus, params, Control::default(), progress)? {
        Outcome::Finished(trained) => Ok(*trained),
        // Unreachable: without a stop flag the run never stops early.
        Outcome::Stopped(_) => Err(Error::Mismatch("training stopped early".into())),
    }
}

/// The tables and state a run continues from (see [`crate::checkpoint`]).
pub struct Resume {
    /// Where the run stands.
    pub state: RunState,
    /// The input table, row-major.
    pub input: Vec<f32>,
    /// The output table, row-major.
    pub output: Vec<f32>,
}

impl Resume {
    /// Where a run starts: `resume` if given (its tables checked against the corpus and
    /// dimension), else a fresh start in chunks of `chunk_tokens` with word2vec's initial
    /// tables.
    pub fn or_fresh(
        resume: Option<Resume>,
        corpus: &Corpus,
        params: &TrainParams,
        chunk_tokens: usize,
    ) -> Result<Resume> {
        let (words, dim) = (corpus.vocab.len(), params.dim);
        let start = resume.unwrap_or_else(|| Resume {
            state: RunState::start(chunk_tokens),
            input: initial_input_table(words, dim, params.seed),
            output: vec![0.0; words * dim],
        });
        if start.input.len() != words * dim || start.output.len() != words * dim {
            return Err(Error::Mismatch(format!(
                "tables of {} and {} values do not fit {words} words of {dim}",
                start.input.len(),
                start.output.len()
            )));
        }
        Ok(start)
    }
}

/// What a checkpoint callback sees: taken between chunks, when every chunk below
/// `state.position.next_chunk` is done and no other has started.
pub struct Snapshot<'a> {
    /// Where the run stands.
    pub state: &'a RunState,
    /// The input table.
    pub input: &'a SharedTable,
    /// The output table.
    pub output: &'a SharedTable,
}

/// Writes a checkpoint from a [`Snapshot`].
pub type CheckpointFn<'a> = dyn FnMut(&Snapshot<'_>) -> Result<()> + 'a;

/// Checkpointing and stopping of a run.
#[derive(Default)]
pub struct Control<'a> {
    /// Continue from this state instead of starting afresh.
    pub resume: Option<Resume>,
    /// Call `checkpoint` this often.
    pub every: Option<Every>,
    /// Set (e.g. by a signal handler) to stop: the run takes a checkpoint and returns
    /// [`Outcome::Stopped`].
    pub stop: Option<&'a AtomicBool>,
    /// Writes a checkpoint.
    pub checkpoint: Option<&'a mut CheckpointFn<'a>>,
}

/// How a run ended.
pub enum Outcome {
    /// Every epoch was trained.
    Finished(Box<Trained>),
    /// The stop flag was set; a checkpoint was taken (where there is a callback) at this
    /// position.
    Stopped(Position),
}

/// Trains like [`train`], resumable from a checkpoint, taking checkpoints and stopping on
/// request as `control` says.
///
/// A checkpoint pauses the workers: they stop taking chunks, those under way finish (so every
/// chunk below the shared counter is done), the callback runs, and training goes on. Pausing
/// changes nothing a one-thread run computes, so a deterministic run stopped and resumed any
/// number of times gives bit-identical vectors.
pub fn train_with(
    corpus: &Corpus,
    params: &TrainParams,
    mut control: Control<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome> {
    let dim = params.dim;
    let Resume {
        mut state,
        input,
        output,
    } = Resume::or_fresh(control.resume.take(), corpus, params, CPU_CHUNK_TOKENS)?;
    let plan = TrainingPlan::new(corpus, params, state.position.chunk_tokens as usize);
    let input = SharedTable::new(input, dim);
    let output = SharedTable::new(output, dim);
    let total = plan.total_positions(params);
    let chunk_start = |chunk: usize| -> u64 {
        plan.chunks.get(chunk).map_or(plan.epoch_positions, |c| {
            corpus.sentence_range(c.start).start as u64
        })
    };
    let start_done = (state.position.epoch * plan.epoch_positions)
        .saturating_add(chunk_start(state.position.next_chunk as usize))
        .min(total);
    let done = AtomicU64::new(start_done);
    let pause = AtomicBool::new(false);
    let no_stop = AtomicBool::new(false);
    let stop = control.stop.unwrap_or(&no_stop);
    let started = Instant::now();
    let mut last_checkpoint = (Instant::now(), start_done);
    let mut stats = TrainStats {
        device: format!(
            "cpu ({} thread{})",
            params.threads,
            if params.threads == 1 { "" } else { "s" }
        ),
        ..TrainStats::default()
    };
    while (state.position.epoch as usize) < params.epochs {
        let epoch = state.position.epoch as usize;
        let segment_started = Instant::now();
        let key = rng::epoch_key(params.seed, epoch as u32);
        let next_chunk = AtomicUsize::new(state.position.next_chunk as usize);
        // Starts from the epoch's sum so far: one thread adds chunk sums in the same order
        // whether or not the epoch was interrupted.
        let loss = Mutex::new(state.epoch_loss);
        let finished = AtomicUsize::new(0);
        let words_due = match control.every {
            Some(Every::Words(n)) => last_checkpoint.1.saturating_add(n),
            _ => u64::MAX,
        };
        let work = || {
            let mut scratch = Scratch::new(&plan.shape);
            let mut batch = Batch::new();
            let (mut in_rows, mut out_rows) = (input.rows(), output.rows());
            loop {
                if pause.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                    break;
                }
                let index = next_chunk.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = plan.chunks.get(index) else {
                    break;
                };
                plan.fill_batch(corpus, chunk, key, &mut batch);
                let first_token = corpus.sentence_range(chunk.start).start;
                let position = epoch as u64 * plan.epoch_positions + first_token as u64;
                let alpha = params.alpha_at(position, total);
                let sum = train_batch(
                    &plan.shape,
                    &mut in_rows,
                    &mut out_rows,
                    &plan.sampler,
                    &batch,
                    key,
                    alpha,
                    &mut scratch,
                );
                let chunk_tokens = corpus.sentence_range(chunk.end - 1).end - first_token;
                let now_done =
                    done.fetch_add(chunk_tokens as u64, Ordering::Relaxed) + chunk_tokens as u64;
                if let Ok(mut total_loss) = loss.lock() {
                    total_loss.add(sum);
                }
                if now_done >= words_due {
                    pause.store(true, Ordering::Relaxed);
                }
            }
            finished.fetch_add(1, Ordering::Release);
        };
        std::thread::scope(|scope| {
            for _ in 0..params.threads {
                scope.spawn(work);
            }
            while finished.load(Ordering::Acquire) < params.threads {
                std::thread::sleep(PROGRESS_INTERVAL.min(Duration::from_millis(50)));
                if let Some(Every::Time(interval)) = control.every {
                    if last_checkpoint.0.elapsed() >= interval {
                        pause.store(true, Ordering::Relaxed);
                    }
                }
                let d = done.load(Ordering::Relaxed);
                progress(&Progress {
                    done: d,
                    total,
                    epoch,
                    loss: loss.lock().map(|l| l.mean()).unwrap_or(f64::NAN),
                    alpha: params.alpha_at(d, total),
                });
            }
        });
        // Every chunk below the counter was taken, and every chunk taken is done.
        state.position.next_chunk = next_chunk.into_inner().min(plan.chunks.len()) as u64;
        state.epoch_loss = loss.into_inner().unwrap_or_default();
        state.epoch_seconds += segment_started.elapsed().as_secs_f64();
        if !state.epoch_loss.mean().is_finite() {
            return Err(Error::Diverged {
                epoch,
                alpha: params.alpha,
            });
        }
        if state.position.next_chunk as usize == plan.chunks.len() {
            state.epochs.push(EpochStats {
                loss: state.epoch_loss.mean(),
                examples: state.epoch_loss.examples,
                seconds: state.epoch_seconds,
            });
            state.position.epoch += 1;
            state.position.next_chunk = 0;
            state.epoch_loss = LossSum::default();
            state.epoch_seconds = 0.0;
        }
        let stopping = stop.load(Ordering::Relaxed);
        let over = state.position.epoch as usize >= params.epochs;
        if (pause.swap(false, Ordering::Relaxed) || stopping) && !over {
            if let Some(checkpoint) = control.checkpoint.as_mut() {
                checkpoint(&Snapshot {
                    state: &state,
                    input: &input,
                    output: &output,
                })?;
            }
            last_checkpoint = (Instant::now(), done.load(Ordering::Relaxed));
            if stopping {
                return Ok(Outcome::Stopped(state.position));
            }
        }
    }
    stats.epochs = state.epochs;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.words = total - start_done;
    let embeddings = Embeddings::new(corpus.vocab.clone(), dim, input.into_inner())?;
    Ok(Outcome::Finished(Box::new(Trained {
        embeddings,
        output: output.into_inner(),
        stats,
    })))
}
