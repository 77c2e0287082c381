//! The GPU backend: every centre of a chunk trained by the kernels of [`crate::gpu::step`],
//! with a bounded number of centres in flight.
//!
//! Tables go to the device once and come back at checkpoints and at the end. Batches are
//! built on the CPU and uploaded into two alternating sets of buffers, so building chunk
//! `n + 1` overlaps the GPU's work on chunk `n`; the host waits only for chunk `n - 1` before
//! reusing its buffers. The loss is summed on the device and read in the background a few
//! times a second.

use std::borrow::Cow;
use std::time::Instant;

use crate::batch::Batch;
use crate::config::{GpuKernel, Model, TrainParams};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::gpu::device_memory::{check_device_memory, training_details};
use crate::gpu::loss::LossReader;
use crate::gpu::step::{DeviceBatch, StepOptions, TrainState};
use crate::training::{Backend, PROGRESS_INTERVAL, Tables, TrainingPlan, WorkQueue};

/// Tokens per chunk: one chunk keeps a GPU busy, and the learning rate still steps several
/// times per epoch on small corpora.
pub const GPU_CHUNK_TOKENS: usize = 131_072;

/// Centres trained at once unless `--gpu-in-flight` says otherwise: the most that kept
/// mix8m accuracy within a few tenths of a point of the serial order when
/// `benches/staleness.rs` emulated them (README, "Updates in flight"). Each workgroup trains
/// one centre at a time (the first kernel one per dispatch, the second launches this many
/// persistent workgroups), so this also bounds the workgroups kept busy: small GPUs never
/// reach it, big ones (an H100 holds about 2,000) are held below their width.
pub fn default_in_flight(model: Model) -> usize {
    match model {
        Model::SkipGram => 512,
        Model::Cbow => 512,
        Model::BatchSkipGram => 64,
    }
}

/// Centres trained at once with hierarchical softmax unless `--gpu-in-flight` says otherwise.
/// Every update adds to the root's output row and to those near it, so the updates in flight
/// add gradients computed against one stale value of the same rows: emulated on mix8m
/// (`VECTRAIN_STALENESS_HS=1 cargo bench --bench staleness`, CBOW), 16 in flight kept the
/// serial order's accuracy and 32 diverged (README, "Updates in flight").
pub const HS_DEFAULT_IN_FLIGHT: usize = 16;

/// The centres in flight a run of `params` uses: `--gpu-in-flight`, or the default of its
/// objective and model.
pub fn centres_in_flight(params: &TrainParams) -> usize {
    params.gpu_in_flight.unwrap_or_else(|| {
        if params.hs {
            HS_DEFAULT_IN_FLIGHT
        } else {
            default_in_flight(params.model)
        }
    })
}

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

/// Trains on the GPU of a [`GpuContext`]: the driver's plan (chunks of [`GPU_CHUNK_TOKENS`],
/// learning rate per chunk, one key per epoch) with the centres of a chunk updated
/// concurrently (Hogwild, as the CPU backend's threads do), so results are not bit-identical
/// to the CPU's, except with one centre in flight. A device lost or another GPU error ends
/// the run with [`Error::Gpu`].
pub struct GpuBackend<'a> {
    ctx: &'a GpuContext,
    in_flight: usize,
    kernel: GpuKernel,
    run: Option<DeviceRun>,
}

/// What a run keeps on the device.
struct DeviceRun {
    state: TrainState,
    batches: [DeviceBatch; 2],
    submitted: [Option<wgpu::SubmissionIndex>; 2],
    slot: usize,
    reader: LossReader,
}

impl<'a> GpuBackend<'a> {
    /// A backend on `ctx` training at most `in_flight` centres at once (at least one; see
    /// [`centres_in_flight`]) with the first kernel.
    pub fn new(ctx: &'a GpuContext, in_flight: usize) -> GpuBackend<'a> {
        GpuBackend {
            ctx,
            in_flight: in_flight.max(1),
            kernel: GpuKernel::V1,
            run: None,
        }
    }

    /// The same backend training with `kernel` (`--gpu-kernel`).
    pub fn with_kernel(self, kernel: GpuKernel) -> GpuBackend<'a> {
        GpuBackend { kernel, ..self }
    }

    /// A backend for a run of `params`: its bound on centres in flight and its kernel.
    pub fn for_params(ctx: &'a GpuContext, params: &TrainParams) -> GpuBackend<'a> {
        GpuBackend::new(ctx, centres_in_flight(params)).with_kernel(params.gpu_kernel)
    }

    fn loaded(&mut self) -> Result<&mut DeviceRun> {
        self.run.as_mut().ok_or_else(not_loaded)
    }
}

impl Backend for GpuBackend<'_> {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn device(&self) -> String {
        match self.kernel {
            GpuKernel::V1 => self.ctx.describe(),
            GpuKernel::V2 => format!("{}, kernel v2", self.ctx.describe()),
        }
    }

    fn chunk_tokens(&self) -> usize {
        GPU_CHUNK_TOKENS
    }

    fn load(&mut self, plan: &TrainingPlan, input: Vec<f32>, output: Vec<f32>) -> Result<()> {
        let ctx = self.ctx;
        check_fits(ctx, plan, input.len(), output.len())?;
        let options = StepOptions {
            kernel: self.kernel,
            ..StepOptions::default()
        };
        let (shape, sampler) = (&plan.shape, &plan.sampler);
        let state = match (&plan.subwords, &plan.tree) {
            (Some(index), Some(tree)) => TrainState::with_subwords_and_tree(
                ctx,
                shape,
                &input,
                &output,
                sampler,
                index,
                tree,
                plan.first_tree_row,
                options,
            )?,
            (Some(index), None) => {
                TrainState::with_subwords(ctx, shape, &input, &output, sampler, index, options)?
            }
            (None, Some(tree)) => {
                let first_row = plan.first_tree_row;
                TrainState::with_tree(
                    ctx, shape, &input, &output, sampler, tree, first_row, options,
                )?
            }
            (None, None) => {
                TrainState::with_options(ctx, shape, &input, &output, sampler, options)?
            }
        };
        drop((input, output));
        let batches = [
            state.batch_buffers(ctx, plan.largest_chunk)?,
            state.batch_buffers(ctx, plan.largest_chunk)?,
        ];
        let reader = state.loss_reader(ctx)?;
        self.run = Some(DeviceRun {
            state,
            batches,
            submitted: [None, None],
            slot: 0,
            reader,
        });
        Ok(())
    }

    fn train(&mut self, _plan: &TrainingPlan, work: &WorkQueue<'_>) -> Result<()> {
        let (ctx, in_flight) = (self.ctx, self.in_flight);
        let run = self.loaded()?;
        // A copy still pending belongs to an earlier segment: finish it before the reset.
        run.reader.poll(ctx, true)?;
        run.state.reset_loss(ctx)?;
        let mut batch = Batch::new();
        let mut last_request = Instant::now();
        while let Some(chunk) = work.next() {
            work.fill(&chunk, &mut batch)?;
            let slot = run.slot;
            run.slot ^= 1;
            if let Some(index) = run.submitted[slot].take() {
                wait_for(ctx, index)?;
            }
            run.state.upload(ctx, &mut run.batches[slot], &batch)?;
            let steps = run
                .state
                .split(batch.len(), in_flight, chunk.alpha, chunk.key);
            run.submitted[slot] = run.state.run(ctx, &run.batches[slot], &steps)?;
            work.done(&chunk);
            if let Some(sum) = run.reader.poll(ctx, false)? {
                work.show_loss(sum);
            }
            if last_request.elapsed() >= PROGRESS_INTERVAL {
                run.reader.request(ctx)?;
                last_request = Instant::now();
            }
        }
        run.reader.poll(ctx, true)?;
        // Waits for every chunk submitted.
        work.add_loss(run.state.read_loss(ctx)?);
        run.submitted = [None, None];
        Ok(())
    }

    fn replace_tables(
        &mut self,
        _plan: &TrainingPlan,
        input: Vec<f32>,
        output: Vec<f32>,
    ) -> Result<()> {
        // Written into the buffers the run has: no buffer, bind group or sampling table is
        // made again.
        let ctx = self.ctx;
        self.loaded()?.state.write_tables(ctx, &input, &output)
    }

    fn tables(&mut self) -> Result<Tables<'_>> {
        let ctx = self.ctx;
        let (input, output) = self.loaded()?.state.read_tables(ctx)?;
        Ok(Tables {
            input: Cow::Owned(input),
            output: Cow::Owned(output),
        })
    }

    fn take_tables(&mut self) -> Result<(Vec<f32>, Vec<f32>)> {
        let run = self.run.take().ok_or_else(not_loaded)?;
        run.state.read_tables(self.ctx)
    }
}

/// Refuses a run whose tables (`input` and `output` floats), sampling tables, subword rows,
/// Huffman paths and two batches in flight need more than the device's memory, before anything
/// is allocated.
fn check_fits(ctx: &GpuContext, plan: &TrainingPlan, input: usize, output: usize) -> Result<()> {
    let tables = (input + output) as u64 * 4;
    // Per word: an alias entry (8 bytes) and a keep probability (4); per batch token: word,
    // position and sentence (12 bytes), for each of the two batches in flight.
    let words = plan.sampler.len() as u64;
    // With subwords, each word's list of rows (4 bytes a row and one start per word).
    let word_rows = plan.subwords.as_ref().map_or(0, |index| {
        4 * (index.offsets.len() + index.rows.len()) as u64
    });
    // With --hs, each word's path (4 bytes a node and one start per word).
    let paths = plan.tree.as_ref().map_or(0, |tree| {
        let nodes: usize = (0..tree.words() as u32).map(|w| tree.nodes(w).len()).sum();
        4 * (tree.words() + 1 + nodes) as u64
    });
    let rest = words * 12 + 2 * 12 * plan.largest_chunk as u64 + word_rows + paths;
    check_device_memory(tables + rest, ctx.memory, training_details(tables, rest))
}

fn not_loaded() -> Error {
    Error::Mismatch("the GPU backend has no tables loaded".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TrainConfig;

    fn params(model: Model, hs: bool, gpu_in_flight: Option<usize>) -> TrainParams {
        TrainConfig {
            model,
            hs,
            negative: if hs { 0 } else { 5 },
            gpu_in_flight,
            ..TrainConfig::default()
        }
        .check()
        .expect("valid settings")
    }

    #[test]
    fn hierarchical_softmax_keeps_fewer_centres_in_flight_unless_told() {
        assert_eq!(
            centres_in_flight(&params(Model::SkipGram, false, None)),
            512
        );
        assert_eq!(
            centres_in_flight(&params(Model::BatchSkipGram, false, None)),
            64
        );
        for model in [Model::SkipGram, Model::Cbow] {
            let hs = params(model, true, None);
            assert_eq!(centres_in_flight(&hs), HS_DEFAULT_IN_FLIGHT);
            assert_eq!(centres_in_flight(&params(model, true, Some(300))), 300);
        }
    }
}
