//! The GPU trainer: the CPU trainer's plan ([`TrainingPlan`], learning rate per chunk, epoch
//! keys, subsampling) with every centre of a chunk in one dispatch.
//!
//! Tables go to the device once and come back once. Batches are built on the CPU and
//! uploaded into two alternating sets of buffers, so building chunk `n + 1` overlaps the
//! GPU's work on chunk `n`; the host waits only for chunk `n - 1` before reusing its buffers.
//! The loss is summed on the device and read in the background a few times a second.

use std::time::Instant;

use crate::batch::Batch;
use crate::config::TrainParams;
use crate::corpus::Corpus;
use crate::cpu::Trained;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::step::{Step, TrainState};
use crate::rng;
use crate::training::{
    EpochStats, PROGRESS_INTERVAL, Progress, TrainStats, TrainingPlan, initial_input_table,
};

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
    let plan = TrainingPlan::new(corpus, params, GPU_CHUNK_TOKENS);
    let dim = params.dim;
    let words = corpus.vocab.len();
    let input = initial_input_table(words, dim, params.seed);
    let output = vec![0.0f32; words * dim];
    let state = TrainState::new(ctx, &plan.shape, &input, &output, &plan.sampler)?;
    drop((input, output));
    let capacity = plan
        .chunks
        .iter()
        .map(|c| corpus.sentence_range(c.end - 1).end - corpus.sentence_range(c.start).start)
        .max()
        .unwrap_or(1);
    let mut devices = [
        state.batch_buffers(ctx, capacity)?,
        state.batch_buffers(ctx, capacity)?,
    ];
    let mut in_flight: [Option<wgpu::SubmissionIndex>; 2] = [None, None];
    let mut reader = state.loss_reader(ctx)?;
    let total = plan.total_positions(params);
    let started = Instant::now();
    let mut last_report = started;
    let mut stats = TrainStats {
        device: ctx.describe(),
        ..TrainStats::default()
    };
    let mut batch = Batch::new();
    let mut done = 0u64;
    for epoch in 0..params.epochs {
        let epoch_started = Instant::now();
        let key = rng::epoch_key(params.seed, epoch as u32);
        // A copy still pending belongs to the last epoch: finish it before the reset.
        reader.poll(ctx, true)?;
        state.reset_loss(ctx)?;
        let mut loss = f64::NAN;
        for (n, chunk) in plan.chunks.iter().enumerate() {
            batch.clear();
            let first_token = corpus.sentence_range(chunk.start).start;
            for sentence in chunk.clone() {
                let range = corpus.sentence_range(sentence);
                let start = range.start as u32;
                batch.push_sentence(&corpus.tokens()[range], start, &plan.keep, key);
            }
            let position = epoch as u64 * plan.epoch_positions + first_token as u64;
            let alpha = params.alpha_at(position, total);
            let slot = n % 2;
            if let Some(index) = in_flight[slot].take() {
                wait_for(ctx, index)?;
            }
            state.upload(ctx, &mut devices[slot], &batch)?;
            let step = Step {
                base: 0,
                count: batch.len() as u32,
                alpha,
                key,
            };
            in_flight[slot] = state.run(ctx, &devices[slot], &[step])?;
            done += (corpus.sentence_range(chunk.end - 1).end - first_token) as u64;
            if let Some(sum) = reader.poll(ctx, false)? {
                loss = sum.mean();
            }
            if last_report.elapsed() >= PROGRESS_INTERVAL {
                reader.request(ctx, &state)?;
                progress(&Progress {
                    done,
                    total,
                    epoch,
                    loss,
                    alpha,
                });
                last_report = Instant::now();
            }
        }
        reader.poll(ctx, true)?;
        let sum = state.read_loss(ctx)?;
        if !sum.mean().is_finite() {
            return Err(Error::Diverged {
                epoch,
                alpha: params.alpha,
            });
        }
        stats.epochs.push(EpochStats {
            loss: sum.mean(),
            examples: sum.examples,
            seconds: epoch_started.elapsed().as_secs_f64(),
        });
        progress(&Progress {
            done,
            total,
            epoch,
            loss: sum.mean(),
            alpha: params.alpha_at(done, total),
        });
    }
    let (input, output) = state.read_tables(ctx)?;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.words = total;
    Ok(Trained {
        embeddings: Embeddings::new(corpus.vocab.clone(), dim, input)?,
        output,
        stats,
    })
}
