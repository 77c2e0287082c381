//! The GPU trainer: the CPU trainer's plan ([`TrainingPlan`], learning rate per chunk, epoch
//! keys, subsampling) with every centre of a chunk in one dispatch.
//!
//! Tables go to the device once and come back once. Batches are built on the CPU and
//! uploaded into two alternating sets of buffers, so building chunk `n + 1` overlaps the
//! GPU's work on chunk `n`; the host waits only for chunk `n - 1` before reusing its buffers.
//! The loss is summed on the device and read in the background a few times a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::batch::Batch;
use crate::checkpoint::Every;
use crate::config::{Model, TrainParams};
use crate::corpus::Corpus;
use crate::cpu::tables::SharedTable;
use crate::cpu::update::LossSum;
use crate::cpu::{Control, Outcome, Resume, Snapshot, Trained};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::step::{Step, TrainState};
use crate::rng;
use crate::training::{EpochStats, PROGRESS_INTERVAL, Progress, TrainStats, TrainingPlan};

/// Tokens per chunk: one dispatch of this many centres keeps a GPU busy, and the learning
/// rate still steps several times per epoch on small corpora.
pub const GPU_CHUNK_TOKENS: usize = 131_072;

/// Waits until submission `index` has finished.
fn wait_for(ctx: &GpuContext, index: wgpu::SubmissionIndex) -> Result<()> {
    ctx.device
        .poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: None,
        })
        .map(|_| ())
        .map_err(|e| Error::Gpu {
            during: "waiting for the GPU",
            message: e.to_string(),
        })
}

/// Trains on the GPU of `ctx`, calling `progress` a few times a second.
///
/// Centres one dispatch trains at once unless `--gpu-in-flight` says otherwise: the most
/// that kept mix8m accuracy within a few tenths of a point of the serial order when
/// `benches/staleness.rs` emulated them (README, "Updates in flight"). Each workgroup trains
/// one centre, so this also bounds the workgroups a dispatch keeps busy: small GPUs never
/// reach it, big ones (an H100 holds about 2,000) are held below their width.
pub fn default_in_flight(model: Model) -> usize {
    match model {
        Model::SkipGram => 512,
        Model::Cbow => 512,
        Model::BatchSkipGram => 64,
    }
}

/// The centres in flight a run of `params` uses: `--gpu-in-flight`, or the model's default.
pub fn centres_in_flight(params: &TrainParams) -> usize {
    params
        .gpu_in_flight
        .unwrap_or_else(|| default_in_flight(params.model))
}

/// The same plan as [`crate::cpu::train`] (chunks of [`GPU_CHUNK_TOKENS`], learning rate
/// per chunk from [`TrainParams::alpha_at`], one key per epoch) with the centres of a chunk
/// updated concurrently (Hogwild, as the CPU trainer's threads do), so results are not
/// bit-identical to the CPU's. `params.threads` and `params.deterministic` do not apply.
pub fn train(
    ctx: &GpuContext,
    corpus: &Corpus,
    params: &TrainParams,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Trained> {
    match train_with(ctx, corpus, params, Control::default(), progress)? {
        Outcome::Finished(trained) => Ok(*trained),
        // Unreachable: without a stop flag the run never stops early.
        Outcome::Stopped(_) => Err(Error::Mismatch("training stopped early".into())),
    }
}

/// Trains like [`train`], resumable from a checkpoint (of either trainer: the plan takes the
/// checkpoint's chunk size), taking checkpoints and stopping on request as `control` says,
/// with the same [`Control`] and [`Outcome`] as [`crate::cpu::train_with`].
///
/// A checkpoint waits for the chunks submitted, reads both tables back and hands them to the
/// callback; training then goes on from the tables still on the device. A device lost or
/// another GPU error ends the run with [`Error::Gpu`]; the last checkpoint, written
/// atomically, is still there to resume from.
pub fn train_with(
    ctx: &GpuContext,
    corpus: &Corpus,
    params: &TrainParams,
    mut control: Control<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome> {
    let dim = params.dim;
    let Resume {
        state: mut run,
        input,
        output,
    } = Resume::or_fresh(control.resume.take(), corpus, params, GPU_CHUNK_TOKENS)?;
    let plan = TrainingPlan::new(corpus, params, run.position.chunk_tokens as usize);
    let centres_in_flight = centres_in_flight(params);
    let state = TrainState::new(ctx, &plan.shape, &input, &output, &plan.sampler)?;
    drop((input, output));
    let chunk_len = |c: &std::ops::Range<usize>| {
        corpus.sentence_range(c.end - 1).end - corpus.sentence_range(c.start).start
    };
    let capacity = plan.chunks.iter().map(chunk_len).max().unwrap_or(1);
    let mut devices = [
        state.batch_buffers(ctx, capacity)?,
        state.batch_buffers(ctx, capacity)?,
    ];
    let mut in_flight: [Option<wgpu::SubmissionIndex>; 2] = [None, None];
    let mut reader = state.loss_reader(ctx)?;
    let total = plan.total_positions(params);
    let no_stop = AtomicBool::new(false);
    let stop = control.stop.unwrap_or(&no_stop);
    let started = Instant::now();
    let mut last_report = started;
    let mut batch = Batch::new();
    let first_token = |chunk: usize| -> u64 {
        plan.chunks.get(chunk).map_or(plan.epoch_positions, |c| {
            corpus.sentence_range(c.start).start as u64
        })
    };
    let mut done = (run.position.epoch * plan.epoch_positions)
        .saturating_add(first_token(run.position.next_chunk as usize))
        .min(total);
    let start_done = done;
    let mut last_checkpoint = (Instant::now(), done);
    while (run.position.epoch as usize) < params.epochs {
        let epoch = run.position.epoch as usize;
        let segment_started = Instant::now();
        let key = rng::epoch_key(params.seed, epoch as u32);
        // A copy still pending belongs to an earlier segment: finish it before the reset.
        reader.poll(ctx, true)?;
        state.reset_loss(ctx)?;
        let mut loss = f64::NAN;
        let mut pause = false;
        let mut n = run.position.next_chunk as usize;
        while n < plan.chunks.len() && !pause {
            let chunk = &plan.chunks[n];
            plan.fill_batch(corpus, chunk, key, &mut batch);
            let position = epoch as u64 * plan.epoch_positions + first_token(n);
            let alpha = params.alpha_at(position, total);
            let slot = n % 2;
            if let Some(index) = in_flight[slot].take() {
                wait_for(ctx, index)?;
            }
            state.upload(ctx, &mut devices[slot], &batch)?;
            in_flight[slot] = state.run(
                ctx,
                &devices[slot],
                &Step::split(batch.len(), centres_in_flight, alpha, key),
            )?;
            done += chunk_len(chunk) as u64;
            n += 1;
            if let Some(sum) = reader.poll(ctx, false)? {
                loss = sum.mean();
            }
            if last_report.elapsed() >= PROGRESS_INTERVAL {
                reader.request(ctx)?;
                progress(&Progress {
                    done,
                    total,
                    epoch,
                    loss,
                    alpha,
                });
                last_report = Instant::now();
            }
            pause = stop.load(Ordering::Relaxed)
                || match control.every {
                    Some(Every::Time(interval)) => last_checkpoint.0.elapsed() >= interval,
                    Some(Every::Words(words)) => done >= last_checkpoint.1.saturating_add(words),
                    None => false,
                };
        }
        // Waits for every chunk submitted: all chunks below `n` are done.
        reader.poll(ctx, true)?;
        let mut segment = state.read_loss(ctx)?;
        segment.add(run.epoch_loss);
        run.epoch_loss = segment;
        run.epoch_seconds += segment_started.elapsed().as_secs_f64();
        run.position.next_chunk = n as u64;
        if !run.epoch_loss.mean().is_finite() {
            return Err(Error::Diverged {
                epoch,
                alpha: params.alpha,
            });
        }
        if n == plan.chunks.len() {
            run.epochs.push(EpochStats {
                loss: run.epoch_loss.mean(),
                examples: run.epoch_loss.examples,
                seconds: run.epoch_seconds,
            });
            progress(&Progress {
                done,
                total,
                epoch,
                loss: run.epoch_loss.mean(),
                alpha: params.alpha_at(done, total),
            });
            run.position.epoch += 1;
            run.position.next_chunk = 0;
            run.epoch_loss = LossSum::default();
            run.epoch_seconds = 0.0;
        }
        let stopping = stop.load(Ordering::Relaxed);
        let over = run.position.epoch as usize >= params.epochs;
        if pause && !over {
            if let Some(checkpoint) = control.checkpoint.as_mut() {
                let (input, output) = state.read_tables(ctx)?;
                checkpoint(&Snapshot {
                    state: &run,
                    input: &SharedTable::new(input, dim),
                    output: &SharedTable::new(output, dim),
                })?;
            }
            last_checkpoint = (Instant::now(), done);
            if stopping {
                return Ok(Outcome::Stopped(run.position));
            }
        }
    }
    let (input, output) = state.read_tables(ctx)?;
    let stats = TrainStats {
        device: ctx.describe(),
        epochs: run.epochs,
        words: total - start_done,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(Outcome::Finished(Box::new(Trained {
        embeddings: Embeddings::new(corpus.vocab.clone(), dim, input)?,
        output,
        stats,
    })))
}
