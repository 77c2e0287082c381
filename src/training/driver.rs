//! The run driver: the epoch loop every backend shares.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::training::averaging::{Averager, Schedule};
use crate::training::backend::Backend;
use crate::training::control::{CheckpointFn, Control, Every, Outcome, Snapshot, Trained};
use crate::training::observe::{EpochEnd, EpochObserver};
use crate::training::plan::TrainingPlan;
use crate::training::result;
use crate::training::state::{Resume, RunState};
use crate::training::stats::{PROGRESS_INTERVAL, Progress, TrainStats};
use crate::training::work::{Pause, Segment, WorkQueue};

/// Trains `corpus` with `params` on `backend` from start to end, calling `progress` from
/// the calling thread a few times a second.
pub fn train_to_end(
    backend: &mut dyn Backend,
    corpus: &Corpus,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Trained> {
    match train(backend, corpus, params, Control::default(), progress)? {
        Outcome::Finished(trained) => Ok(*trained),
        // Without a stop flag the driver never stops early.
        Outcome::Stopped(_) => Err(Error::Mismatch("training stopped early".into())),
    }
}

/// Trains `corpus` with `params` on `backend`, resuming, taking checkpoints and stopping as
/// `control` says, and calling `progress` from the calling thread a few times a second.
///
/// The run is a sequence of segments: runs of consecutive chunks of one epoch, which the
/// backend trains on a thread of their own while this thread reports progress. A segment
/// ends with its epoch, or early when a checkpoint is due or the stop flag is set. Between
/// segments every chunk below the position is done and none above has started, so a
/// checkpoint taken there is exact: a one-thread (`--deterministic`) run stopped and resumed
/// any number of times gives bit-identical vectors. The order of the chunks and the learning
/// rate of each are the plan's ([`TrainingPlan::alpha`]), and a loss that is not finite ends
/// the run with [`Error::Diverged`].
pub fn train(
    backend: &mut dyn Backend,
    corpus: &Corpus,
    params: &TrainParams,
    control: Control<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome> {
    train_observed(backend, corpus, params, control, progress, None)
}

/// [`train`], calling `observer` (where there is one) at the end of every epoch, after the
/// epoch's last progress report. The time the observer takes is left out of the run's
/// [`TrainStats::seconds`].
pub fn train_observed(
    backend: &mut dyn Backend,
    corpus: &Corpus,
    params: &TrainParams,
    mut control: Control<'_>,
    progress: &mut dyn FnMut(&Progress),
    mut observer: Option<&mut dyn EpochObserver>,
) -> Result<Outcome> {
    let Resume {
        mut state,
        input,
        output,
    } = Resume::or_fresh(
        control.resume.take(),
        corpus,
        params,
        backend.chunk_tokens(),
    )?;
    let plan = TrainingPlan::new(corpus, params, state.position.chunk_tokens as usize)?;
    if state.position.next_chunk as usize > plan.chunks.len() {
        return Err(Error::Mismatch(format!(
            "the run resumes at chunk {} of an epoch of {}",
            state.position.next_chunk,
            plan.chunks.len()
        )));
    }
    backend.load(&plan, input, output)?;
    let total = plan.total_positions(params);
    let start_done = (state.position.epoch * plan.epoch_positions)
        .saturating_add(plan.done_before(state.position.next_chunk as usize))
        .min(total);
    let no_stop = AtomicBool::new(false);
    let requested = control.stop.unwrap_or(&no_stop);
    let mut averaging = match control.averager.as_deref_mut() {
        None => None,
        Some(_) if control.every.is_some() => {
            return Err(Error::Mismatch(
                "a run that averages takes its checkpoint interval from its averager".into(),
            ));
        }
        Some(averager) => {
            let tables = backend.tables()?;
            let points = averager.begin(total, &tables.input, &tables.output)?;
            Some(Schedule::after(points, total, averager.averages_done()))
        }
    };
    if let (Some(schedule), Some(averager)) = (&mut averaging, control.averager.as_deref_mut()) {
        // A resumed process may owe averages its position reached before the checkpoint,
        // which the others made after training on: it makes them before training.
        let checkpoint = control.checkpoint.as_deref_mut();
        let at = SyncAt {
            done: start_done,
            state: &state,
        };
        if sync(
            backend, &plan, schedule, averager, checkpoint, requested, at,
        )? {
            return Ok(Outcome::Stopped(state.position));
        }
    }
    // Processes that average stop together, at an averaging point: none stops on its own.
    let stop = if averaging.is_some() {
        &no_stop
    } else {
        requested
    };
    let started = Instant::now();
    let mut done = start_done;
    let mut last_checkpoint = (started, done);
    // Time spent in the observer: not training, so not in the run's seconds.
    let mut observed = Duration::ZERO;
    while (state.position.epoch as usize) < params.epochs {
        let segment_started = Instant::now();
        let epoch = state.position.epoch as usize;
        let pause = match control.every {
            None if averaging.is_some() => averaging
                .as_ref()
                .and_then(Schedule::due)
                .map_or(Pause::Never, Pause::AtPosition),
            None => Pause::Never,
            Some(Every::Time(interval)) => Pause::At(last_checkpoint.0 + interval),
            Some(Every::Words(words)) => Pause::AtPosition(last_checkpoint.1.saturating_add(words)),
        };
        let queue = WorkQueue::new(
            corpus,
            &plan,
            params,
            Segment {
                epoch,
                first_chunk: state.position.next_chunk as usize,
                done,
                loss: state.epoch_loss,
                pause,
                stop,
            },
        );
        run_segment(backend, &plan, &queue, progress)?;
        let report = queue.report();
        done = report.done;
        state.position.next_chunk = report.next_chunk as u64;
        state.epoch_loss = report.loss;
        state.epoch_seconds += segment_started.elapsed().as_secs_f64();
        if !state.epoch_loss.mean().is_finite() {
            return Err(Error::Diverged {
                epoch,
                alpha: params.alpha,
            });
        }
        if report.next_chunk == plan.chunks.len() {
            progress(&Progress {
                done,
                total,
                epoch,
                loss: state.epoch_loss.mean(),
                alpha: plan.alpha(params, epoch, plan.chunks.len()),
            });
            state.finish_epoch();
            if let Some(observer) = observer.as_deref_mut() {
                let observing = Instant::now();
                observe_epoch_end(observer, backend, corpus, params, &plan, &state, done)?;
                observed += observing.elapsed();
            }
        }
        if let (Some(schedule), Some(averager)) = (&mut averaging, control.averager.as_deref_mut())
        {
            let checkpoint = control.checkpoint.as_deref_mut();
            let at = SyncAt {
                done,
                state: &state,
            };
            if sync(
                backend, &plan, schedule, averager, checkpoint, requested, at,
            )? {
                return Ok(Outcome::Stopped(state.position));
            }
            continue;
        }
        let stopping = stop.load(Ordering::Relaxed);
        let over = state.position.epoch as usize >= params.epochs;
        if (report.paused || stopping) && !over {
            if let Some(checkpoint) = control.checkpoint.as_mut() {
                let tables = backend.tables()?;
                checkpoint(&Snapshot {
                    state: &state,
                    input: &tables.input,
                    output: &tables.output,
                    averages: None,
                })?;
            }
            last_checkpoint = (Instant::now(), done);
            if stopping {
                return Ok(Outcome::Stopped(state.position));
            }
        }
    }
    let (mut input, mut output) = backend.take_tables()?;
    if let Some(averager) = control.averager {
        // The last point: the end of the run, where every process holds the same tables.
        averager.average(&mut input, &mut output, false)?;
    }
    let stats = TrainStats {
        device: backend.device(),
        epochs: state.epochs,
        words: total - start_done,
        seconds: started.elapsed().saturating_sub(observed).as_secs_f64(),
    };
    Ok(Outcome::Finished(Box::new(result::trained(
        corpus, params, &plan, input, output, stats,
    )?)))
}

/// Tells `observer` that the last epoch of `state` ended, `done` positions into the run.
fn observe_epoch_end(
    observer: &mut dyn EpochObserver,
    backend: &mut dyn Backend,
    corpus: &Corpus,
    params: &TrainParams,
    plan: &TrainingPlan,
    state: &RunState,
    done: u64,
) -> Result<()> {
    let Some(stats) = state.epochs.last() else {
        // Unreachable: called right after `finish_epoch` pushed the epoch's stats.
        return Ok(());
    };
    let embeddings = if observer.wants_embeddings() {
        let input = backend.tables()?.input.into_owned();
        Some(result::word_embeddings(corpus, params, plan, input)?)
    } else {
        None
    };
    observer.epoch_ended(&EpochEnd {
        epoch: state.epochs.len() - 1,
        done,
        stats,
        embeddings: embeddings.as_ref(),
    })
}

/// Where a process stands at a synchronisation.
struct SyncAt<'a> {
    /// Positions of the run done.
    done: u64,
    /// Its state.
    state: &'a RunState,
}

/// Averages at every point of `schedule` that `at.done` reached, every process together;
/// right after an average where the processes agreed to stop or to take a checkpoint, calls
/// `checkpoint` (where there is one) with the averaged tables. Returns whether they agreed
/// to stop: every process then stops after the same average.
fn sync(
    backend: &mut dyn Backend,
    plan: &TrainingPlan,
    schedule: &mut Schedule,
    averager: &mut dyn Averager,
    mut checkpoint: Option<&mut CheckpointFn<'_>>,
    requested: &AtomicBool,
    at: SyncAt<'_>,
) -> Result<bool> {
    let passed = schedule.passed(at.done);
    let before = schedule.averaged() - passed;
    for averages in before + 1..=before + passed {
        let stopping = average(backend, plan, averager, requested.load(Ordering::Relaxed))?;
        if stopping || averager.checkpoint_due() {
            if let Some(checkpoint) = checkpoint.as_deref_mut() {
                let tables = backend.tables()?;
                checkpoint(&Snapshot {
                    state: at.state,
                    input: &tables.input,
                    output: &tables.output,
                    averages: Some(averages),
                })?;
            }
        }
        if stopping {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Replaces the tables of `backend` by their mean over every process; returns whether any
/// process asked to stop.
fn average(
    backend: &mut dyn Backend,
    plan: &TrainingPlan,
    averager: &mut dyn Averager,
    stop: bool,
) -> Result<bool> {
    let tables = backend.tables()?;
    let (mut input, mut output) = (tables.input.into_owned(), tables.output.into_owned());
    let stopping = averager.average(&mut input, &mut output, stop)?;
    backend.replace_tables(plan, input, output)?;
    Ok(stopping)
}

/// Lets `backend` train the chunks of `queue` on a thread of its own while this thread
/// reports progress, and returns what the backend returned (a panic in it resumes here).
fn run_segment(
    backend: &mut dyn Backend,
    plan: &TrainingPlan,
    queue: &WorkQueue<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<()> {
    let (finished, finished_signal) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let result = backend.train(plan, queue);
            // Nobody listening only means the driver is unwinding.
            let _ = finished.send(());
            result
        });
        // Ends when the backend signals, or when it panicked and dropped the sender.
        while let Err(mpsc::RecvTimeoutError::Timeout) =
            finished_signal.recv_timeout(PROGRESS_INTERVAL)
        {
            progress(&queue.progress());
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
